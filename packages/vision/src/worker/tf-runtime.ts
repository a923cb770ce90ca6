import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";

/**
 * One TensorFlow.js for every model, on the WebAssembly backend: its .wasm files ship in
 * @tensorflow/tfjs-backend-wasm, and it is 8-20x faster than the pure-JS cpu backend.
 * `@tensorflow/tfjs-node` is never used: its install downloads libtensorflow.
 */
const require = createRequire(import.meta.url);

/** The tfjs surface the models use (the package's own types are a bundle of re-exports). */
export interface Tf {
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: "int32" | "float32"): Tensor;
  expandDims(t: Tensor, axis: number): Tensor;
  dispose(t: Tensor | Tensor[]): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
}
export interface Tensor {
  readonly shape: number[];
  dispose(): void;
}

let runtime: Promise<Tf> | undefined;

/** The wasm-backed tfjs of this thread, initialised once. */
export function tfRuntime(): Promise<Tf> {
  return (runtime ??= start());
}

/** Where the wasm backend's .wasm files are (inside its npm package). */
export function wasmDirectory(): string {
  return `${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`;
}

async function start(): Promise<Tf> {
  installFileOnlyFetch();
  const tf = quietly(() => require("@tensorflow/tfjs") as Tf);
  const wasm = require("@tensorflow/tfjs-backend-wasm") as { setWasmPaths(path: string): void };
  wasm.setWasmPaths(wasmDirectory());
  if (!(await tf.setBackend("wasm"))) throw new Error("the tfjs wasm backend did not start");
  await tf.ready();
  return tf;
}

/**
 * Model loaders fetch their files by URL; Node's fetch cannot read file:// URLs. This thread only
 * ever reads model files from installed packages, so its fetch serves file:// from disk and refuses
 * everything else: no model can reach the network, whatever its defaults say.
 */
function installFileOnlyFetch(): void {
  globalThis.fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== "file:")
      throw new Error(`the vision worker never uses the network (asked for ${url.protocol}//${url.host})`);
    return new Response(await readFile(url), { status: 200 });
  };
}

/**
 * Runs a loader with console.log/info/warn silenced: tfjs and nsfwjs print banners ("install the
 * node backend", "you're using the model") that would break the services' JSON log lines.
 */
export function quietly<T>(load: () => T): T {
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = console.warn = () => {};
  try {
    return load();
  } finally {
    Object.assign(console, saved);
  }
}

/** The async form of `quietly`, for loaders that print while they await. */
export async function quietlyAsync<T>(load: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn };
  console.log = console.info = console.warn = () => {};
  try {
    return await load();
  } finally {
    Object.assign(console, saved);
  }
}
