import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { OBJECT_MIN_SCORE } from "../thresholds.ts";
import type { DetectedObject } from "../vision-types.ts";
import type { RgbImage } from "./decode-rgb.ts";
import { quietlyAsync, tfRuntime, wasmDirectory, type Tensor } from "./tf-runtime.ts";

/**
 * Human's MB3-CenterNet (Human is MIT; the model file ships in its models/ folder): 80 COCO labels.
 * Every other Human module is off, so only centernet.json/.bin are read. Human's `exports` map is
 * malformed, so its node-wasm build is loaded by path next to the resolved main file.
 */
const require = createRequire(import.meta.url);

interface HumanResult {
  object: { label: string; score: number }[];
}
interface Human {
  load(): Promise<void>;
  detect(input: Tensor): Promise<HumanResult>;
}

/** Human's own pre-filter; the documented cut-off (OBJECT_MIN_SCORE) is applied after. */
const RAW_MIN_SCORE = 0.2;
const MAX_OBJECTS = 10;

let human: Promise<Human> | undefined;

/** Loads the detector once (lazily). */
export function objectModel(): Promise<Human> {
  return (human ??= load());
}

async function load(): Promise<Human> {
  await tfRuntime();
  const distDir = dirname(require.resolve("@vladmandic/human"));
  const { Human } = require(join(distDir, "human.node-wasm.js")) as { Human: new (config: object) => Human };
  const off = { enabled: false };
  const instance = new Human({
    backend: "wasm",
    wasmPath: wasmDirectory(),
    modelBasePath: `${pathToFileURL(join(distDir, "..", "models")).href}/`,
    debug: false,
    // Every call is a new photo: never reuse a previous frame's result.
    cacheSensitivity: 0,
    filter: off,
    face: off,
    body: off,
    hand: off,
    gesture: off,
    segmentation: off,
    object: { enabled: true, modelPath: "centernet.json", minConfidence: RAW_MIN_SCORE, maxDetected: MAX_OBJECTS },
  });
  await quietlyAsync(() => instance.load());
  return instance;
}

/** COCO labels at or above OBJECT_MIN_SCORE, one entry per label (its best score), best first. */
export async function detectObjects(image: RgbImage): Promise<DetectedObject[]> {
  const [tf, detector] = await Promise.all([tfRuntime(), objectModel()]);
  const pixels = tf.tensor3d(image.data, [image.height, image.width, 3], "float32");
  const batch = tf.expandDims(pixels, 0);
  try {
    const result = await detector.detect(batch);
    const best = new Map<string, number>();
    for (const o of result.object) {
      if (o.score >= OBJECT_MIN_SCORE && o.score > (best.get(o.label) ?? 0)) best.set(o.label, o.score);
    }
    return [...best]
      .map(([label, score]) => ({ label, score: Math.round(score * 1e3) / 1e3 }))
      .sort((a, b) => b.score - a.score);
  } finally {
    tf.dispose([pixels, batch]);
  }
}
