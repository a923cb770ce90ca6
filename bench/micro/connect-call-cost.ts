/**
 * CPU per Connect unary call (client and server in one process, HTTP/2, a trivial method):
 * `node --import tsx bench/micro/connect-call-cost.ts [N]`. Issue 19 used it to weigh the
 * connect-es patches (patches/): run it with and without `npx patch-package --reverse`.
 */
import http2 from "node:http2";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { ProviderService } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

const routes = connectNodeAdapter({
  routes: (router) =>
    router.service(ProviderService, { describeProvider: () => ({ id: "x", displayName: "x", configured: true }) }),
});
const server = http2.createServer(routes);
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as { port: number }).port;
const client = createClient(
  ProviderService,
  createConnectTransport({ baseUrl: `http://127.0.0.1:${port}`, httpVersion: "2" }),
);
const N = Number(process.argv[2] ?? 5000);
for (let i = 0; i < 1000; i++) await client.describeProvider({});
const t = process.cpuUsage();
const w = performance.now();
for (let i = 0; i < N; i++) await client.describeProvider({});
const u = process.cpuUsage(t);
console.log(
  `${((u.user + u.system) / N).toFixed(1)} us CPU/call, ${(((performance.now() - w) / N) * 1000).toFixed(1)} us wall/call`,
);
server.close();
process.exit(0);
