import { createRequire } from "node:module";
import type { RgbImage } from "./decode-rgb.ts";
import { quietlyAsync, tfRuntime, type Tensor } from "./tf-runtime.ts";

/**
 * NSFWJS MobileNetV2 (code and weights MIT): its weights are compiled into the npm package, so
 * loading reads no file and no URL. Loading decodes ~3.5 MB of base64 and builds the graph:
 * seconds, so it happens once per process.
 */
const require = createRequire(import.meta.url);

interface NsfwModel {
  classify(image: Tensor, topk?: number): Promise<{ className: string; probability: number }[]>;
}

/** The classes whose sum is the score; Neutral and Drawing are the benign ones. */
const UNSAFE_CLASSES = new Set(["Porn", "Hentai", "Sexy"]);

let model: Promise<NsfwModel> | undefined;

/** Loads the classifier once (lazily); later calls share it. */
export function nsfwModel(): Promise<NsfwModel> {
  return (model ??= load());
}

async function load(): Promise<NsfwModel> {
  await tfRuntime();
  const nsfwjs = require("nsfwjs") as { load(name: string, options: { size: number }): Promise<NsfwModel> };
  return quietlyAsync(() => nsfwjs.load("MobileNetV2", { size: 224 }));
}

/** Porn + Hentai + Sexy, 0-1 (the five class probabilities sum to 1). */
export async function nsfwScore(image: RgbImage): Promise<number> {
  const [tf, classifier] = await Promise.all([tfRuntime(), nsfwModel()]);
  const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
  try {
    const predictions = await classifier.classify(tensor, 5);
    const score = predictions.filter((p) => UNSAFE_CLASSES.has(p.className)).reduce((sum, p) => sum + p.probability, 0);
    return Math.min(1, Math.max(0, Math.round(score * 1e4) / 1e4));
  } finally {
    tf.dispose(tensor);
  }
}
