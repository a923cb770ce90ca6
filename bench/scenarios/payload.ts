import { startSystem } from "../../gateway/test/start-system.ts";
import { benchConfigPath } from "../bench-config.ts";
import { rssMiB, samplePeakRss } from "../process-memory.ts";
import { printTable } from "../table.ts";

const SERVICES = ["gateway", "front", "local"] as const;

interface PayloadRow {
  readonly return_type: "url" | "base64";
  readonly rounds: number;
  /** Create call until its whole answer is read (render included). */
  readonly generate_ms_per_round: number;
  /** Image bytes per round (4 × 2048² PNG). */
  readonly mb_per_round: number;
  /** Bytes the client received per round: the answer, plus the files for URLs. */
  readonly wire_mb_per_round: number;
  /** Image MB delivered per second of client time (answer + downloads). */
  readonly delivered_mb_per_s: number;
  readonly peak_added_rss_mib: Record<string, number>;
}

/**
 * Large results: 4 × 2048² PNG per generation, once returned as URLs (then downloaded through
 * the gateway's image files) and once inline as base64 in the answer. Reports time, throughput
 * and how much each process's memory grew at its peak while carrying them.
 */
export async function runPayload(options: { quick: boolean }): Promise<PayloadRow[]> {
  const system = await startSystem({ LOG_LEVEL: "warn", IMAGEGEN_CONFIG: benchConfigPath() });
  const rounds = options.quick ? 1 : 5;
  const auth = { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" };
  const rows: PayloadRow[] = [];
  try {
    for (const returnType of ["url", "base64"] as const) {
      const pids = Object.fromEntries(SERVICES.map((s) => [s, system.pid(s)]));
      const idle = Object.fromEntries(SERVICES.map((s) => [s, rssMiB(pids[s])]));
      const sampler = samplePeakRss(pids);
      let clientMs = 0;
      let generateMs = 0;
      let imageBytes = 0;
      let wireBytes = 0;
      for (let i = 0; i < rounds; i++) {
        const started = performance.now();
        const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({
            prompt: `a detailed city at night ${returnType} ${i}`,
            model: "local",
            parameters: { width: 2048, height: 2048, num_outputs: 4 },
            output: { return_type: returnType },
            use_cache: false,
          }),
        });
        const text = await res.text();
        generateMs += performance.now() - started;
        wireBytes += Buffer.byteLength(text);
        const generation = JSON.parse(text) as { images: Array<{ url: string; size_bytes: number; base64?: string }> };
        if (returnType === "base64") {
          imageBytes += generation.images.reduce((n, image) => n + Buffer.from(image.base64 ?? "", "base64").length, 0);
        } else {
          const files = await Promise.all(
            generation.images.map(async (image) => Buffer.from(await (await fetch(image.url)).arrayBuffer())),
          );
          imageBytes += files.reduce((n, f) => n + f.length, 0);
          wireBytes += files.reduce((n, f) => n + f.length, 0);
        }
        clientMs += performance.now() - started;
      }
      const peak = sampler.stop();
      rows.push({
        return_type: returnType,
        rounds,
        generate_ms_per_round: generateMs / rounds,
        mb_per_round: imageBytes / rounds / 2 ** 20,
        wire_mb_per_round: wireBytes / rounds / 2 ** 20,
        delivered_mb_per_s: imageBytes / 2 ** 20 / (clientMs / 1000),
        peak_added_rss_mib: Object.fromEntries(SERVICES.map((s) => [s, (peak[s] ?? NaN) - (idle[s] ?? NaN)])),
      });
    }
  } finally {
    await system.stop();
  }
  printTable(
    "Payload: 4 × 2048² PNG per generation (render included; RSS growth at peak per process)",
    [
      "return type",
      "rounds",
      "generate ms/round",
      "image MB/round",
      "wire MB/round",
      "delivered MB/s",
      "gateway +MiB",
      "front +MiB",
      "local +MiB",
    ],
    rows.map((r) => [
      r.return_type,
      String(r.rounds),
      r.generate_ms_per_round,
      r.mb_per_round,
      r.wire_mb_per_round,
      r.delivered_mb_per_s,
      r.peak_added_rss_mib.gateway ?? NaN,
      r.peak_added_rss_mib.front ?? NaN,
      r.peak_added_rss_mib.local ?? NaN,
    ]),
  );
  return rows;
}
