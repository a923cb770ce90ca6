import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { ISNET_INPUT_SIDE, ISNET_INSTALL_HINT, ISNET_MODEL_PATH, isnetModelInstalled } from "./isnet-model-file.ts";

/** A one-channel 8-bit matte (0 background … 255 foreground), row-major. */
export interface Matte {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

let session: Promise<ort.InferenceSession> | undefined;

/**
 * The session, created once per worker. Two intra-op threads: the machine budget is one heavy
 * model per two cores (README), and more threads only contend with the service's own work.
 * Without the CPU arena and memory-pattern planning, peak RSS of a 1024² run drops from ≈2.2 GB to
 * ≈1.1 GB (measured) at about the same speed, and the activations are given back between runs.
 */
function isnetSession(): Promise<ort.InferenceSession> {
  if (!isnetModelInstalled()) throw new Error(ISNET_INSTALL_HINT);
  session ??= ort.InferenceSession.create(ISNET_MODEL_PATH, {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    enableCpuMemArena: false,
    enableMemPattern: false,
  }).catch((error: unknown) => {
    // A failed load (a damaged file) is retried by the next request, not remembered forever.
    session = undefined;
    throw error;
  });
  return session;
}

/**
 * ISNet's input: RGB squashed to 1024×1024 (the network was trained on resized, not padded,
 * images), planar float32, each channel scaled to 0-1 then shifted by mean 0.5 with std 1.0.
 */
function toInputTensor(rgb: Uint8Array): ort.Tensor {
  const plane = ISNET_INPUT_SIDE * ISNET_INPUT_SIDE;
  const input = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    input[p] = (rgb[p * 3] as number) / 255 - 0.5;
    input[p + plane] = (rgb[p * 3 + 1] as number) / 255 - 0.5;
    input[p + 2 * plane] = (rgb[p * 3 + 2] as number) / 255 - 0.5;
  }
  return new ort.Tensor("float32", input, [1, 3, ISNET_INPUT_SIDE, ISNET_INPUT_SIDE]);
}

/** Min-max stretch of the network's map to 0-255: its raw range varies from image to image. */
function stretchToBytes(map: Float32Array): Uint8Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of map) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  const out = new Uint8Array(map.length);
  // A flat map has no subject in it: all background rather than a division by zero.
  if (span <= 1e-6) return out;
  for (let i = 0; i < map.length; i++) out[i] = Math.round((((map[i] as number) - min) / span) * 255);
  return out;
}

/** Runs ISNet on decoded RGB pixels (3 channels) and returns the matte at the same size. */
export async function isnetMatte(rgb: Uint8Array, width: number, height: number): Promise<Matte> {
  const model = await isnetSession();
  const square = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(ISNET_INPUT_SIDE, ISNET_INPUT_SIDE, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer();
  const outputName = model.outputNames[0] as string;
  const result = await model.run({ [model.inputNames[0] as string]: toInputTensor(square) }, [outputName]);
  const map = (result[outputName] as ort.Tensor).data as Float32Array;
  const small = stretchToBytes(map);
  const data = await sharp(small, { raw: { width: ISNET_INPUT_SIDE, height: ISNET_INPUT_SIDE, channels: 1 } })
    .resize(width, height, { fit: "fill", kernel: "lanczos3" })
    .extractChannel(0)
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
}
