import { createClient } from "@connectrpc/connect";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { createInternalTransport } from "@imagegen/server-kit";
import { runCallLoad, runLoad, type LoadResult } from "../load.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";

/**
 * The cost of serving anything at all: bare node:http, then one connect-node unary hop; and the
 * same hop made the way our services call each other (createInternalTransport), once as gRPC
 * over h2c and once as Connect binary over HTTP/1.1 — the measurement behind the default.
 */
export async function runHopFloor(settings: { seconds: number; concurrencies: number[] }): Promise<Record<string, LoadResult[]>> {
  const bare = await spawnServer("servers/bare-http.ts");
  const hop = await spawnServer("servers/connect-hop.ts");
  const out: Record<string, LoadResult[]> = { bareHttp: [], connectHop: [], internalGrpc: [], internalConnect: [] };
  const clients = {
    internalGrpc: createClient(Health, createInternalTransport(hop.origin, [], "grpc")),
    internalConnect: createClient(Health, createInternalTransport(hop.origin, [], "connect")),
  };
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
      for (const [name, client] of Object.entries(clients)) out[name]?.push(await runCallLoad(() => client.check({}), c, settings.seconds));
    }
  } finally {
    bare.stop();
    hop.stop();
  }
  printComparison("Floor: bare node:http vs one connect-node hop (Connect JSON, HTTP/1.1)", ["bare", "hop"], settings.concurrencies, out.bareHttp, out.connectHop);
  printComparison(
    "Internal hop: the same Health.Check through createInternalTransport (client in the bench process)",
    ["gRPC h2c", "Connect h1"],
    settings.concurrencies,
    out.internalGrpc,
    out.internalConnect,
  );
  return out;
}

/** One row per concurrency: both sides' req/s, p50, p99, and the second's throughput over the first's. */
function printComparison(title: string, [a, b]: [string, string], concurrencies: number[], first: LoadResult[] = [], second: LoadResult[] = []): void {
  printTable(
    title,
    ["concurrency", `${a} req/s`, `${a} p50 ms`, `${a} p99 ms`, `${b} req/s`, `${b} p50 ms`, `${b} p99 ms`, `${b}/${a} throughput`],
    concurrencies.map((c, i) => {
      const x = first[i] as LoadResult;
      const y = second[i] as LoadResult;
      return [String(c), x.rps, x.p50, x.p99, y.rps, y.p50, y.p99, y.rps / x.rps];
    }),
  );
}
