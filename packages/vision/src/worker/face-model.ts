import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FACE_MIN_SCORE } from "../thresholds.ts";
import type { RgbImage } from "./decode-rgb.ts";
import { quietly, tfRuntime, type Tensor } from "./tf-runtime.ts";

/**
 * face-api's TinyFaceDetector (code and weights MIT, 0.19 MB in the package's model/ folder).
 * Chosen over Human's BlazeFace: it found no face on the cat photo where BlazeFace found two.
 * The package's default entry needs tfjs-node; its node-wasm build runs on our tfjs.
 */
const require = createRequire(import.meta.url);

interface FaceApi {
  nets: { tinyFaceDetector: { loadFromDisk(path: string): Promise<void> } };
  TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => object;
  detectAllFaces(input: Tensor, options: object): Promise<{ score: number }[]>;
}

/** The detector's input side; 416 finds faces down to ~1/20 of the image width. */
const INPUT_SIZE = 416;

let faceApi: Promise<FaceApi> | undefined;

/** Loads the detector once (lazily). */
export function faceModel(): Promise<FaceApi> {
  return (faceApi ??= load());
}

async function load(): Promise<FaceApi> {
  await tfRuntime();
  const packageDir = dirname(require.resolve("@vladmandic/face-api/package.json"));
  const api = quietly(() => require(join(packageDir, "dist/face-api.node-wasm.js")) as FaceApi);
  await api.nets.tinyFaceDetector.loadFromDisk(join(packageDir, "model"));
  return api;
}

/** How many faces score at least FACE_MIN_SCORE. */
export async function countFaces(image: RgbImage): Promise<number> {
  const [tf, api] = await Promise.all([tfRuntime(), faceModel()]);
  const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], "int32");
  try {
    const faces = await api.detectAllFaces(
      tensor,
      new api.TinyFaceDetectorOptions({ inputSize: INPUT_SIZE, scoreThreshold: FACE_MIN_SCORE }),
    );
    return faces.filter((f) => f.score >= FACE_MIN_SCORE).length;
  } finally {
    tf.dispose(tensor);
  }
}
