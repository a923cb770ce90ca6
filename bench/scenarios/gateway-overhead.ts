import { startSystem } from "../../gateway/test/start-system.ts";
import { benchConfigPath } from "../bench-config.ts";
import { runLoad, type LoadRequest, type LoadResult } from "../load.ts";
import { printTable } from "../table.ts";

/**
 * The whole chain on loopback: REST → gateway → front (→ local provider), with the cheapest
 * request of each kind. The local provider renders a real 64×64 PNG, so "generate" includes
 * a render; "models" stops at the front.
 */
export async function runGatewayOverhead(settings: {
  seconds: number;
  concurrencies: number[];
}): Promise<Record<string, LoadResult[]>> {
  const system = await startSystem({ LOG_LEVEL: "warn", IMAGEGEN_CONFIG: benchConfigPath() });
  const auth = { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" };
  const requests: Record<string, LoadRequest> = {
    "REST GET /api/v2/models (gateway→front)": {
      method: "GET",
      path: "/api/v2/models",
      headers: auth,
      expectStatus: 200,
    },
    "Connect ListModels (gateway→front)": {
      method: "POST",
      path: "/imagegen.v1.ModelService/ListModels",
      headers: auth,
      body: "{}",
      expectStatus: 200,
    },
    "REST text-to-image 64², render every time (gateway→front→local)": {
      method: "POST",
      path: "/api/v2/generate/text-to-image",
      headers: auth,
      body: JSON.stringify({
        prompt: "a small red square",
        model: "local",
        parameters: { width: 64, height: 64, seed: 1 },
        use_cache: false,
      }),
      expectStatus: 200,
    },
    "REST text-to-image 64², cache hit (fixed seed, served from the first result)": {
      method: "POST",
      path: "/api/v2/generate/text-to-image",
      headers: auth,
      body: JSON.stringify({
        prompt: "a small red square",
        model: "local",
        parameters: { width: 64, height: 64, seed: 1 },
      }),
      expectStatus: 200,
    },
  };
  const out: Record<string, LoadResult[]> = {};
  try {
    for (const [name, request] of Object.entries(requests)) {
      out[name] = [];
      for (const c of settings.concurrencies)
        out[name].push(await runLoad(system.baseUrl, request, c, settings.seconds));
    }
  } finally {
    await system.stop();
  }
  printTable(
    "Through the gateway (loopback, all processes on this machine)",
    ["request", "concurrency", "req/s", "p50 ms", "p99 ms", "errors"],
    Object.entries(out).flatMap(([name, rows]) =>
      rows.map((r) => [name, String(r.concurrency), r.rps, r.p50, r.p99, String(r.errors)]),
    ),
  );
  return out;
}
