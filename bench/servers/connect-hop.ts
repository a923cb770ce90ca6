// One connect-node unary hop on our one-port server: grpc.health.v1 Check over Connect JSON.
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createDualProtocolServer, registerHealth } from "@imagegen/server-kit";

const server = createDualProtocolServer(
  connectNodeAdapter({ routes: (router) => registerHealth(router, async () => true) }),
);
await server.listen(Number(process.env.PORT), "127.0.0.1");
process.stdout.write("ready\n");
