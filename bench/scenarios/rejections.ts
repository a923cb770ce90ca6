import { startSystem } from "../../gateway/test/start-system.ts";
import { benchConfigPath } from "../bench-config.ts";
import { runLoad, type LoadResult } from "../load.ts";
import { printTable } from "../table.ts";

/**
 * Refusals must stay cheap under load: a wrong key (401), an invalid body (400), and a key past
 * its rate limit (429: a free-tier key, one request a day in the bench config, spent in warm-up).
 */
export async function runRejections(settings: { seconds: number; concurrencies: number[] }): Promise<Record<string, LoadResult[]>> {
  const system = await startSystem({ LOG_LEVEL: "warn", IMAGEGEN_CONFIG: benchConfigPath() });
  const body = JSON.stringify({ prompt: "x", parameters: { width: 100 } });
  const out: Record<string, LoadResult[]> = { badKey: [], invalid: [], rateLimited: [] };
  try {
    const limited = await createFreeKey(system.baseUrl, system.adminKey);
    for (const c of settings.concurrencies.filter((c) => c > 1)) {
      out.badKey?.push(
        await runLoad(system.baseUrl, { method: "POST", path: "/api/v2/generate/text-to-image", headers: { authorization: "Bearer wrong", "content-type": "application/json" }, body, expectStatus: 401 }, c, settings.seconds),
      );
      out.invalid?.push(
        await runLoad(system.baseUrl, { method: "POST", path: "/api/v2/generate/text-to-image", headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" }, body, expectStatus: 400 }, c, settings.seconds),
      );
      // The warm-up spends the key's one request; what is measured is the 429 path.
      out.rateLimited?.push(
        await runLoad(system.baseUrl, { method: "GET", path: "/api/v2/models", headers: { authorization: `Bearer ${limited}` }, expectStatus: 429 }, c, settings.seconds),
      );
    }
  } finally {
    await system.stop();
  }
  printTable(
    "Rejection paths",
    ["path", "concurrency", "req/s", "p50 ms", "p99 ms", "unexpected"],
    Object.entries(out).flatMap(([name, rows]) => rows.map((r) => [LABELS[name] ?? name, String(r.concurrency), r.rps, r.p50, r.p99, String(r.errors)])),
  );
  return out;
}

const LABELS: Record<string, string> = { badKey: "wrong API key → 401", invalid: "width 100 → 400", rateLimited: "past the rate limit → 429" };

/** A free-tier key made through the admin API (the bench config lifts only enterprise limits). */
async function createFreeKey(baseUrl: string, adminKey: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v2/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ owner: "bench-rate-limited", tier: "free" }),
  });
  if (!res.ok) throw new Error(`bench: could not create a free-tier key (${res.status} ${await res.text()})`);
  return ((await res.json()) as { secret: string }).secret;
}
