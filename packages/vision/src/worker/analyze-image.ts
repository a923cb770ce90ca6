import type { AnalysisTasks, ImageAnalysis } from "../vision-types.ts";
import { decodeRgb } from "./decode-rgb.ts";
import { countFaces } from "./face-model.ts";
import { nsfwScore } from "./nsfw-model.ts";
import { detectObjects } from "./object-model.ts";

/**
 * Decodes once and runs the asked-for models one after another: the wasm backend uses one core,
 * so running them concurrently would only interleave them.
 */
export async function analyzeImage(bytes: Uint8Array, tasks: AnalysisTasks): Promise<ImageAnalysis> {
  const started = performance.now();
  const image = await decodeRgb(bytes);
  const nsfw = tasks.nsfw ? await nsfwScore(image) : undefined;
  const objects = tasks.objects ? await detectObjects(image) : undefined;
  const faces = tasks.faces ? await countFaces(image) : undefined;
  return {
    ...(nsfw === undefined ? {} : { nsfwScore: nsfw }),
    ...(objects === undefined ? {} : { objects }),
    ...(faces === undefined ? {} : { faces }),
    workerMs: Math.round(performance.now() - started),
  };
}
