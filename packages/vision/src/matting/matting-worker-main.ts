import { parentPort } from "node:worker_threads";
import { UndecodableImageError } from "../worker/decode-rgb.ts";
import { isnetModelInstalled } from "./isnet-model-file.ts";
import type { MattingReply, MattingRequest } from "./matting-protocol.ts";
import { removeBackgroundWithIsnet } from "./remove-background.ts";

/**
 * The matting worker: ISNet loads here once (≈1-2 GB resident) and every decode, inference and
 * encode runs here, off the event loop that serves requests. One request at a time (the pool
 * never sends a second before the first answered), which bounds memory.
 */
const port = parentPort;
if (!port) throw new Error("matting-worker-main runs only as a worker thread");

port.on("message", (request: MattingRequest) => {
  void answer(request).then((reply) =>
    port.postMessage(
      reply,
      reply.ok ? [reply.cutout.bytes.buffer as ArrayBuffer, reply.cutout.matte.buffer as ArrayBuffer] : [],
    ),
  );
});

async function answer(request: MattingRequest): Promise<MattingReply> {
  const started = performance.now();
  try {
    const cutout = await removeBackgroundWithIsnet(request.bytes, request.options);
    // Own buffers: sharp's may be views into a shared pool, which cannot be transferred.
    const owned = { ...cutout, bytes: new Uint8Array(cutout.bytes), matte: new Uint8Array(cutout.matte) };
    return { id: request.id, ok: true, cutout: owned, workerMs: Math.round(performance.now() - started) };
  } catch (error) {
    const kind =
      error instanceof UndecodableImageError ? "invalid_image" : isnetModelInstalled() ? "internal" : "not_installed";
    return { id: request.id, ok: false, kind, message: (error as Error).message };
  }
}
