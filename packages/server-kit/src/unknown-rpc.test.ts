import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@imagegen/proto/grpc/health/v1/health_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDualProtocolServer, type DualProtocolServer } from "./dual-protocol-server.ts";
import { unimplementedFallback } from "./unknown-rpc.ts";

// A connect-node server that serves Health only: calls of anything else, in each protocol.
let server: DualProtocolServer;
let baseUrl: string;
beforeAll(async () => {
  const handler = connectNodeAdapter({
    fallback: unimplementedFallback([Health.typeName]),
    routes(router) {
      router.service(Health, {
        check: () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
        async *watch() {},
        list: () => ({}),
      } as never);
    },
  });
  server = createDualProtocolServer(handler);
  baseUrl = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
});
afterAll(() => server?.close(1000));

const unimplemented = (e: unknown) => ConnectError.from(e);

describe("unknown RPCs on a connect-node server", () => {
  it("gRPC clients get UNIMPLEMENTED (HTTP 200, grpc-status 12) naming the service", async () => {
    const client = createClient(ImageService, createGrpcTransport({ baseUrl }));
    const error = await client.getGeneration({ id: "gen_x" }).then(() => undefined, unimplemented);
    expect(error?.code).toBe(Code.Unimplemented);
    expect(error?.rawMessage).toBe("unknown service imagegen.v1.ImageService");
  });

  it("Connect clients get UNIMPLEMENTED from the 404 JSON error, streaming ones from the end-stream message", async () => {
    const res = await fetch(`${baseUrl}/grpc.health.v1.Health/NoSuchMethod`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: "unimplemented",
      message: "unknown method NoSuchMethod for service grpc.health.v1.Health",
    });
    const client = createClient(ImageService, createConnectTransport({ baseUrl, httpVersion: "1.1" }));
    const error = await (async () => {
      for await (const _ of client.watchGeneration({ id: "gen_x" })) void _;
    })().then(() => undefined, unimplemented);
    expect(error?.code).toBe(Code.Unimplemented);
    // Our answer, not connect-node's bare 404 (which clients also read as unimplemented).
    expect(error?.rawMessage).toBe("unknown service imagegen.v1.ImageService");
  });

  it("a plain HTTP request to another path stays a plain 404", async () => {
    const res = await fetch(`${baseUrl}/index.html`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("");
  });
});
