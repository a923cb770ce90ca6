import { startSystem } from "../../gateway/test/start-system.ts";
import { benchConfigPath } from "../bench-config.ts";
import { runLoad, type LoadResult } from "../load.ts";
import { printTable } from "../table.ts";

/** Refusals must stay cheap under load: a wrong key (401) and an invalid body (400). */
export async function runRejections(settings: { seconds: number; concurrencies: number[] }): Promise<Record<string, LoadResult[]>> {
  const system = await startSystem({ LOG_LEVEL: "warn", IMAGEGEN_CONFIG: benchConfigPath() });
  const body = JSON.stringify({ prompt: "x", parameters: { width: 100 } });
  const out: Record<string, LoadResult[]> = { badKey: [], invalid: [] };
  try {
    for (const c of settings.concurrencies.filter((c) => c > 1)) {
      out.badKey?.push(
        await runLoad(system.baseUrl, { method: "POST", path: "/api/v2/generate/text-to-image", headers: { authorization: "Bearer wrong", "content-type": "application/json" }, body, expectStatus: 401 }, c, settings.seconds),
      );
      out.invalid?.push(
        await runLoad(system.baseUrl, { method: "POST", path: "/api/v2/generate/text-to-image", headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" }, body, expectStatus: 400 }, c, settings.seconds),
      );
    }
  } finally {
    await system.stop();
  }
  printTable(
    "Rejection paths",
    ["path", "concurrency", "req/s", "p50 ms", "p99 ms", "unexpected"],
    Object.entries(out).flatMap(([name, rows]) => rows.map((r) => [name === "badKey" ? "wrong API key → 401" : "width 100 → 400", String(r.concurrency), r.rps, r.p50, r.p99, String(r.errors)])),
  );
  return out;
}
