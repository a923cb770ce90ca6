import { startSystem } from "../../gateway/test/start-system.ts";
import { benchConfigPath } from "../bench-config.ts";
import { printTable } from "../table.ts";

/**
 * Large results: 4 × 2048² PNG per generation, returned as URLs and then downloaded through the
 * gateway's image files. Reports generation time and download throughput.
 */
export async function runPayload(options: { quick: boolean }): Promise<Record<string, number>> {
  const system = await startSystem({ LOG_LEVEL: "warn", IMAGEGEN_CONFIG: benchConfigPath() });
  const rounds = options.quick ? 2 : 5;
  const auth = { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" };
  let generateMs = 0;
  let downloadMs = 0;
  let bytes = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ prompt: `a detailed city at night ${i}`, model: "local", parameters: { width: 2048, height: 2048, num_outputs: 4 } }),
      });
      const generation = (await res.json()) as { images: Array<{ url: string }> };
      generateMs += performance.now() - started;
      const downloadStarted = performance.now();
      const files = await Promise.all(generation.images.map(async (image) => Buffer.from(await (await fetch(image.url)).arrayBuffer())));
      downloadMs += performance.now() - downloadStarted;
      bytes += files.reduce((n, f) => n + f.length, 0);
    }
  } finally {
    await system.stop();
  }
  const result = {
    rounds,
    generate_ms_per_round: generateMs / rounds,
    mb_per_round: bytes / rounds / 2 ** 20,
    download_mb_per_s: bytes / 2 ** 20 / (downloadMs / 1000),
  };
  printTable("Payload: 4 × 2048² PNG per generation (URL return type)", ["rounds", "generate ms/round", "MB/round", "download MB/s"], [
    [result.rounds, result.generate_ms_per_round, result.mb_per_round, result.download_mb_per_s],
  ]);
  return result;
}
