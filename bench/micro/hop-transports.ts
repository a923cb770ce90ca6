/**
 * One internal unary call (grpc.health.v1 Check on bench/servers/connect-hop.ts, a server process
 * of its own) made four ways, for the next round of issue 19 — the provider hop is the largest
 * lever it found: connect-node over h2c (what our internal links use), connect-node over
 * HTTP/1.1, and connect's protocol over an `undici` client (HTTP/1.1 keep-alive Pool, and h2c
 * `H2CClient`) plugged in as connect's `httpClient`. Prints p50, calls per second and CPU per call
 * on each side, interleaved rounds.
 *   node --import tsx bench/micro/hop-transports.ts [seconds=2] [rounds=3]
 */
import { createClient, type Transport } from "@connectrpc/connect";
import type { UniversalClientFn } from "@connectrpc/connect/protocol";
import { createTransport } from "@connectrpc/connect/protocol-connect";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { createInternalTransport } from "@imagegen/server-kit";
import { type Dispatcher, H2CClient, Pool } from "undici";
import { runCallLoad } from "../load.ts";
import { cpuMs } from "../process-cpu.ts";
import { spawnServer } from "../spawn-server.ts";

const seconds = Number(process.argv[2] ?? 2);
const rounds = Number(process.argv[3] ?? 3);

/** connect's HTTP layer on an undici dispatcher: the request body sent whole, the answer streamed. */
function undiciHttpClient(dispatcher: Dispatcher): UniversalClientFn {
  return async (request) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of request.body ?? []) chunks.push(chunk);
    const headers: Record<string, string> = {};
    request.header.forEach((value, name) => {
      headers[name] = value;
    });
    const response = await dispatcher.request({
      origin: new URL(request.url).origin,
      path: new URL(request.url).pathname,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: Buffer.concat(chunks),
      signal: request.signal,
    });
    const header = new Headers();
    for (const [name, value] of Object.entries(response.headers))
      if (value !== undefined) header.set(name, Array.isArray(value) ? value.join(", ") : value);
    return { status: response.statusCode, header, body: response.body, trailer: new Headers() };
  };
}

function connectOver(baseUrl: string, dispatcher: Dispatcher): Transport {
  return createTransport({
    baseUrl,
    httpClient: undiciHttpClient(dispatcher),
    useBinaryFormat: true,
    interceptors: [],
    acceptCompression: [],
    sendCompression: null,
    readMaxBytes: 0xffffffff,
    writeMaxBytes: 0xffffffff,
    compressMinBytes: 1024,
  });
}

const hop = await spawnServer("servers/connect-hop.ts");
const arms: Record<string, Transport> = {
  "connect-node h2c": createInternalTransport(hop.origin, [], "connect"),
  "connect-node http/1.1": createInternalTransport(hop.origin, [], "connect-http1"),
  "undici Pool http/1.1": connectOver(hop.origin, new Pool(hop.origin, { pipelining: 1 })),
  "undici H2CClient": connectOver(hop.origin, new H2CClient(hop.origin, { maxConcurrentStreams: 1000 })),
};
try {
  for (const concurrency of [1, 64]) {
    for (let round = 0; round < rounds; round++) {
      for (const [name, transport] of Object.entries(arms)) {
        const client = createClient(Health, transport);
        const [clientBefore, serverBefore] = [cpuMs(process.pid), cpuMs(hop.child.pid!)];
        const load = await runCallLoad(() => client.check({}), concurrency, seconds);
        const perCall = (before: number, pid: number) => (((cpuMs(pid) - before) / load.requests) * 1000).toFixed(0);
        console.log(
          `c=${concurrency} ${name.padEnd(22)} ${load.rps.toFixed(0).padStart(6)} calls/s, p50 ${load.p50.toFixed(3)} ms; ` +
            `CPU per call: client ${perCall(clientBefore, process.pid)} µs (load loop included), server ${perCall(serverBefore, hop.child.pid!)} µs`,
        );
      }
    }
  }
} finally {
  hop.stop();
}
process.exit(0);
