import { createClient } from "@connectrpc/connect";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { createInternalTransport, INTERNAL_PROTOCOLS } from "@imagegen/server-kit";
import { runCallLoad, runLoad, type LoadResult } from "../load.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";

/**
 * The cost of serving anything at all: bare node:http, then one connect-node unary hop; and the
 * same hop made the way our services call each other (createInternalTransport), once per
 * IMAGEGEN_INTERNAL_PROTOCOL — the measurement behind the default.
 */
export async function runHopFloor(settings: {
  seconds: number;
  concurrencies: number[];
}): Promise<Record<string, LoadResult[]>> {
  const bare = await spawnServer("servers/bare-http.ts");
  const hop = await spawnServer("servers/connect-hop.ts");
  const out: Record<string, LoadResult[]> = { bareHttp: [], connectHop: [] };
  const clients = Object.fromEntries(
    INTERNAL_PROTOCOLS.map((p) => [p, createClient(Health, createInternalTransport(hop.origin, [], p))]),
  );
  try {
    for (const c of settings.concurrencies) {
      out.bareHttp?.push(
        await runLoad(bare.origin, { method: "GET", path: "/", expectStatus: 200 }, c, settings.seconds),
      );
      out.connectHop?.push(
        await runLoad(
          hop.origin,
          {
            method: "POST",
            path: "/grpc.health.v1.Health/Check",
            headers: { "content-type": "application/json" },
            body: "{}",
            expectStatus: 200,
          },
          c,
          settings.seconds,
        ),
      );
      for (const [name, client] of Object.entries(clients))
        (out[name] ??= []).push(await runCallLoad(() => client.check({}), c, settings.seconds));
    }
  } finally {
    bare.stop();
    hop.stop();
  }
  printComparison(
    "Floor: bare node:http vs one connect-node hop (Connect JSON, HTTP/1.1)",
    ["bare", "hop"],
    settings.concurrencies,
    out.bareHttp,
    out.connectHop,
  );
  printTable(
    "Internal hop: the same Health.Check through createInternalTransport, per IMAGEGEN_INTERNAL_PROTOCOL (client in the bench process)",
    [
      "concurrency",
      ...INTERNAL_PROTOCOLS.flatMap((p) => [`${p} req/s`, `${p} p50 ms`, `${p} p99 ms`]),
      "connect/grpc throughput",
    ],
    settings.concurrencies.map((c, i) => {
      const row = INTERNAL_PROTOCOLS.map((p) => out[p]?.[i] as LoadResult);
      const rps = (p: string): number => out[p]?.[i]?.rps ?? NaN;
      return [String(c), ...row.flatMap((r) => [r.rps, r.p50, r.p99]), rps("connect") / rps("grpc")];
    }),
  );
  return out;
}

/** One row per concurrency: both sides' req/s, p50, p99, and the second's throughput over the first's. */
function printComparison(
  title: string,
  [a, b]: [string, string],
  concurrencies: number[],
  first: LoadResult[] = [],
  second: LoadResult[] = [],
): void {
  printTable(
    title,
    [
      "concurrency",
      `${a} req/s`,
      `${a} p50 ms`,
      `${a} p99 ms`,
      `${b} req/s`,
      `${b} p50 ms`,
      `${b} p99 ms`,
      `${b}/${a} throughput`,
    ],
    concurrencies.map((c, i) => {
      const x = first[i] as LoadResult;
      const y = second[i] as LoadResult;
      return [String(c), x.rps, x.p50, x.p99, y.rps, y.p50, y.p99, y.rps / x.rps];
    }),
  );
}
