import { runLoad, type LoadResult } from "../load.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";

/** The cost of serving anything at all: bare node:http, then one connect-node unary hop. */
export async function runHopFloor(settings: { seconds: number; concurrencies: number[] }): Promise<Record<string, LoadResult[]>> {
  const bare = await spawnServer("servers/bare-http.ts");
  const hop = await spawnServer("servers/connect-hop.ts");
  const out: Record<string, LoadResult[]> = { bareHttp: [], connectHop: [] };
  try {
    for (const c of settings.concurrencies) {
      out.bareHttp?.push(await runLoad(bare.origin, { method: "GET", path: "/", expectStatus: 200 }, c, settings.seconds));
      out.connectHop?.push(
        await runLoad(
          hop.origin,
          { method: "POST", path: "/grpc.health.v1.Health/Check", headers: { "content-type": "application/json" }, body: "{}", expectStatus: 200 },
          c,
          settings.seconds,
        ),
      );
    }
  } finally {
    bare.stop();
    hop.stop();
  }
  printTable(
    "Floor: bare node:http vs one connect-node hop (Connect JSON, HTTP/1.1)",
    ["concurrency", "bare req/s", "bare p50 ms", "bare p99 ms", "hop req/s", "hop p50 ms", "hop p99 ms", "hop/bare throughput"],
    settings.concurrencies.map((c, i) => {
      const b = out.bareHttp?.[i] as LoadResult;
      const h = out.connectHop?.[i] as LoadResult;
      return [c, b.rps, b.p50, b.p99, h.rps, h.p50, h.p99, h.rps / b.rps];
    }),
  );
  return out;
}
