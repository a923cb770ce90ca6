import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import sharp from "sharp";
import { SR_MAX_INPUT_PIXELS, SR_TILE, SR_TILE_PADDING } from "../thresholds.ts";
import type { UpscaleFormat, UpscaledImage } from "../vision-types.ts";
import { UndecodableImageError } from "./decode-rgb.ts";
import { tfRuntime } from "./tf-runtime.ts";

/**
 * ESRGAN "slim" from UpscalerJS (`@upscalerjs/esrgan-slim`, code and weights MIT, trained on DIV2K):
 * a small RDN, plain Keras layers, input and output in 0-255. Only its model files are used; the
 * tiling below is ours, so memory stays bounded by one tile whatever the input size.
 */
const require = createRequire(import.meta.url);

interface LayersModel {
  predict(input: unknown): TensorLike;
}
interface TensorLike {
  readonly shape: number[];
  data(): Promise<Float32Array>;
  dispose(): void;
}
interface TfForSr {
  loadLayersModel(url: string): Promise<LayersModel>;
  tensor4d(values: Float32Array, shape: [number, number, number, number]): TensorLike;
  dispose(t: TensorLike | TensorLike[]): void;
}

const models = new Map<2 | 4, Promise<LayersModel>>();

/** The network for one scale, loaded once (lazily). */
function srModel(scale: 2 | 4): Promise<LayersModel> {
  let model = models.get(scale);
  if (!model) {
    model = (async () => {
      const tf = (await tfRuntime()) as unknown as TfForSr;
      return tf.loadLayersModel(pathToFileURL(join(packageRoot(), "models", `x${scale}`, "model.json")).href);
    })();
    models.set(scale, model);
  }
  return model;
}

/** The package's `exports` hide package.json; walk up from its CommonJS entry to the folder holding models/. */
function packageRoot(): string {
  let dir = dirname(require.resolve("@upscalerjs/esrgan-slim"));
  while (!existsSync(join(dir, "models", "x2", "model.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("@upscalerjs/esrgan-slim has no models/ folder");
    dir = parent;
  }
  return dir;
}

/**
 * Enlarges an image ×2 or ×4 with the network, tile by tile (SR_TILE² input pixels plus
 * SR_TILE_PADDING of context on each side, cropped away after, so tiles meet without seams).
 * An alpha channel is resized with lanczos: the network sees colour only.
 */
export async function superResolve(
  bytes: Uint8Array,
  scale: 2 | 4,
  format: UpscaleFormat,
  quality?: number,
): Promise<UpscaledImage> {
  let decoded: { data: Buffer; info: { width: number; height: number } };
  let alpha: Buffer | undefined;
  try {
    const image = sharp(bytes, { limitInputPixels: SR_MAX_INPUT_PIXELS }).rotate();
    const meta = await image.metadata();
    decoded = await image.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (meta.hasAlpha) {
      const { width, height } = decoded.info;
      alpha = await image
        .clone()
        .extractChannel("alpha")
        .resize(width * scale, height * scale, { kernel: "lanczos3" })
        .raw()
        .toBuffer();
    }
  } catch (error) {
    throw new UndecodableImageError(
      `not a decodable image of at most ${SR_MAX_INPUT_PIXELS} pixels: ${(error as Error).message}`,
    );
  }
  const { width, height } = decoded.info;
  const [tf, model] = await Promise.all([tfRuntime() as unknown as Promise<TfForSr>, srModel(scale)]);
  const out = Buffer.alloc(width * scale * height * scale * 3);
  for (let y0 = 0; y0 < height; y0 += SR_TILE) {
    for (let x0 = 0; x0 < width; x0 += SR_TILE) {
      const tile = { x: x0, y: y0, w: Math.min(SR_TILE, width - x0), h: Math.min(SR_TILE, height - y0) };
      await upscaleTile(tf, model, decoded.data, width, height, tile, scale, out);
    }
  }
  const outWidth = width * scale;
  const outHeight = height * scale;
  let result = sharp(out, { raw: { width: outWidth, height: outHeight, channels: 3 } });
  if (alpha) result = result.joinChannel(alpha, { raw: { width: outWidth, height: outHeight, channels: 1 } });
  const encoded =
    format === "jpeg"
      ? result.jpeg({ quality: quality ?? 90 })
      : format === "webp"
        ? result.webp({ quality: quality ?? 90 })
        : result.png();
  return { bytes: new Uint8Array(await encoded.toBuffer()), width: outWidth, height: outHeight };
}

async function upscaleTile(
  tf: TfForSr,
  model: LayersModel,
  rgb: Buffer,
  width: number,
  height: number,
  tile: { x: number; y: number; w: number; h: number },
  scale: number,
  out: Buffer,
): Promise<void> {
  // The tile plus its context, clamped to the image.
  const left = Math.max(0, tile.x - SR_TILE_PADDING);
  const top = Math.max(0, tile.y - SR_TILE_PADDING);
  const right = Math.min(width, tile.x + tile.w + SR_TILE_PADDING);
  const bottom = Math.min(height, tile.y + tile.h + SR_TILE_PADDING);
  const pw = right - left;
  const ph = bottom - top;
  const patch = new Float32Array(pw * ph * 3);
  for (let y = 0; y < ph; y++) {
    const from = ((top + y) * width + left) * 3;
    for (let i = 0; i < pw * 3; i++) patch[y * pw * 3 + i] = rgb[from + i] as number;
  }
  const input = tf.tensor4d(patch, [1, ph, pw, 3]);
  const output = model.predict(input);
  try {
    const values = await output.data();
    const outPw = pw * scale;
    const offX = (tile.x - left) * scale;
    const offY = (tile.y - top) * scale;
    const outW = width * scale;
    for (let y = 0; y < tile.h * scale; y++) {
      const src = ((offY + y) * outPw + offX) * 3;
      const dst = ((tile.y * scale + y) * outW + tile.x * scale) * 3;
      for (let i = 0; i < tile.w * scale * 3; i++) {
        // The network overshoots 0-255 near strong edges: clip, then round.
        const v = values[src + i] as number;
        out[dst + i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
  } finally {
    tf.dispose([input, output]);
  }
}
