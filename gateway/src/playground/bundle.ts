import { build } from "esbuild";
import { fileURLToPath } from "node:url";

/** The playground's browser entry point. */
export const PLAYGROUND_ENTRY = fileURLToPath(new URL("./client/app.ts", import.meta.url));

/**
 * Bundles the playground's TypeScript (and the generated Connect-Web client it imports) for
 * the browser with esbuild, in memory. Done on the first request rather than committed: a
 * committed bundle would be one more generated file to keep fresh, and bundling takes a few
 * hundred milliseconds once per gateway process (esbuild comes with tsx).
 */
export async function bundlePlayground(entry = PLAYGROUND_ENTRY): Promise<Buffer> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no playground bundle");
  return Buffer.from(file.contents);
}
