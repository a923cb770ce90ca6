import { parentPort } from "node:worker_threads";
import type { WorkerReply, WorkerRequest } from "../vision-types.ts";
import { analyzeImage } from "./analyze-image.ts";
import { UndecodableImageError } from "./decode-rgb.ts";
import { superResolve } from "./super-resolution.ts";

/**
 * The vision worker: models load here, lazily, once per worker, and every decode and inference
 * runs here, never on the event loop that serves requests. Requests run strictly one at a time
 * (the pool never sends a second before the first answered), which bounds memory.
 */
const port = parentPort;
if (!port) throw new Error("vision-worker-main runs only as a worker thread");

port.on("message", (request: WorkerRequest) => {
  void answer(request).then((reply) =>
    port.postMessage(reply, reply.ok && reply.upscaled ? [reply.upscaled.bytes.buffer as ArrayBuffer] : []),
  );
});

async function answer(request: WorkerRequest): Promise<WorkerReply> {
  try {
    if (request.kind === "upscale") {
      return {
        id: request.id,
        ok: true,
        upscaled: await superResolve(request.bytes, request.scale, request.format, request.quality),
      };
    }
    return { id: request.id, ok: true, analysis: await analyzeImage(request.bytes, request.tasks) };
  } catch (error) {
    const kind = error instanceof UndecodableImageError ? "invalid_image" : "internal";
    return { id: request.id, ok: false, kind, message: (error as Error).message };
  }
}
