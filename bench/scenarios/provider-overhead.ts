import { startSystem } from "../../gateway/test/start-system.ts";
import { runLoad, type LoadResult } from "../load.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";
import { chainEnvFor, FAKE_OPENAI_TOKEN } from "../openai-chain.ts";

/**
 * What the whole gateway adds to a provider call: the same image request sent straight to a fast
 * fake OpenAI upstream, and through REST → gateway → front → openai provider → the same fake
 * (which includes storing the image and signing its URL). Added latency and throughput ratio
 * are computed against the direct call measured in this run.
 */
export async function runProviderOverhead(settings: {
  seconds: number;
  concurrencies: number[];
}): Promise<Record<string, LoadResult[]>> {
  const fake = await spawnServer("servers/fast-openai.ts", { FAKE_TOKEN: FAKE_OPENAI_TOKEN });
  const system = await startSystem(chainEnvFor(fake.origin), { providers: ["openai"] });
  const out: Record<string, LoadResult[]> = { direct: [], gateway: [] };
  try {
    for (const c of settings.concurrencies) {
      out.direct?.push(
        await runLoad(
          fake.origin,
          {
            method: "POST",
            path: "/v1/images/generations",
            headers: { authorization: `Bearer ${FAKE_OPENAI_TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "gpt-image-1", prompt: "a blue square", size: "1024x1024", n: 1 }),
            expectStatus: 200,
          },
          c,
          settings.seconds,
        ),
      );
      out.gateway?.push(
        await runLoad(
          system.baseUrl,
          {
            method: "POST",
            path: "/api/v2/generate/text-to-image",
            headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
            body: JSON.stringify({
              prompt: "a blue square",
              model: "gpt-image-1",
              parameters: { width: 1024, height: 1024 },
            }),
            expectStatus: 200,
          },
          c,
          settings.seconds,
        ),
      );
    }
  } finally {
    await system.stop();
    fake.stop();
  }
  printTable(
    "Overhead: direct to a fast fake OpenAI vs REST → gateway → front → openai provider → same fake",
    [
      "concurrency",
      "direct req/s",
      "direct p50",
      "direct p99",
      "gateway req/s",
      "gateway p50",
      "gateway p99",
      "added p50 ms",
      "throughput ratio",
      "errors",
    ],
    settings.concurrencies.map((c, i) => {
      const d = out.direct?.[i] as LoadResult;
      const g = out.gateway?.[i] as LoadResult;
      return [
        String(c),
        d.rps,
        d.p50,
        d.p99,
        g.rps,
        g.p50,
        g.p99,
        g.p50 - d.p50,
        g.rps / d.rps,
        String(d.errors + g.errors),
      ];
    }),
  );
  return out;
}
