import { randomBytes } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@imagegen/proto/grpc/health/v1/health_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDualProtocolServer, type DualProtocolServer } from "./dual-protocol-server.ts";
import { registerHealth } from "./health-service.ts";
import {
  combineRequestGates,
  createServiceIdentityGate,
  createServiceIdentityInterceptor,
  isUnprovenPeer,
  UNPROVEN_PEER_MESSAGE,
} from "./identity-interceptors.ts";
import { createInternalTransport, INTERNAL_PROTOCOLS } from "./internal-transport.ts";
import type { Logger } from "./logger.ts";
import { SERVICE_CHALLENGE_HEADER, SERVICE_TOKEN_HEADER, ServiceIdentity } from "./service-identity.ts";

const ours = randomBytes(32);
const theirs = randomBytes(32);
// Records warnings instead of printing them.
function recordingLogger(lines: string[] = []): Logger {
  const logger: Logger = { debug() {}, info() {}, warn: (msg) => void lines.push(msg), error() {}, with: () => logger };
  return logger;
}
const quiet = recordingLogger();

// One server per kind of callee, each serving grpc.health.v1 ("" is SERVING, anything else NOT_FOUND).
const servers: DualProtocolServer[] = [];
async function serve(requestGate?: Parameters<typeof connectNodeAdapter>[0]["requestGate"]): Promise<string> {
  const handler = connectNodeAdapter({
    requestGate,
    routes: (router) => registerHealth(router, async (service) => (service === "" ? true : undefined)),
  });
  const server = createDualProtocolServer(handler);
  servers.push(server);
  return `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
}

let strict: string; // requires our identity on everything
let healthOpen: string; // requires it, except on grpc.health.v1
let optional: string; // checks a token when one comes (the front)
let foreign: string; // another deployment's provider
let plain: string; // a process with no identity at all
let recording: string; // requires identity and remembers what each call presented
const presented: Array<{ token: string | null; challenge: string | null }> = [];

beforeAll(async () => {
  const callee = new ServiceIdentity("provider-local", ours);
  strict = await serve(createServiceIdentityGate(callee, { required: true, logger: quiet }));
  healthOpen = await serve(
    createServiceIdentityGate(callee, { required: true, open: [Health.typeName], logger: quiet }),
  );
  optional = await serve(createServiceIdentityGate(callee, { required: false, logger: quiet }));
  foreign = await serve(
    createServiceIdentityGate(new ServiceIdentity("provider-local", theirs), { required: true, logger: quiet }),
  );
  plain = await serve();
  recording = await serve(
    combineRequestGates(
      (context) =>
        void presented.push({
          token: context.requestHeader.get(SERVICE_TOKEN_HEADER),
          challenge: context.requestHeader.get(SERVICE_CHALLENGE_HEADER),
        }),
      createServiceIdentityGate(callee, { required: true, logger: quiet }),
    ),
  );
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
});

const front = new ServiceIdentity("front", ours);
function identified(url: string, protocol: string, audience = "provider-local") {
  return createClient(
    Health,
    createInternalTransport(url, [createServiceIdentityInterceptor(front, audience)], protocol),
  );
}
function anonymous(url: string, protocol: string) {
  return createClient(Health, createInternalTransport(url, [], protocol));
}
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded");
}

describe.each(INTERNAL_PROTOCOLS)("service identity over %s", (protocol) => {
  it("lets a caller of this deployment through and proves the callee back", async () => {
    expect((await identified(strict, protocol).check({ service: "" })).status).toBe(Status.SERVING);
  });

  it("passes a proven callee's own errors on as they are", async () => {
    const error = await failure(identified(strict, protocol).check({ service: "no.such.Service" }));
    expect(error.code).toBe(Code.NotFound);
  });

  it("refuses a caller without a token with UNAUTHENTICATED", async () => {
    const error = await failure(anonymous(strict, protocol).check({ service: "" }));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("service token missing: this service answers only its own deployment's services");
  });

  it("refuses a token for another service", async () => {
    const error = await failure(identified(strict, protocol, "provider-openai").check({ service: "" }));
    // The callee refused, and a refusal carries no proof: the caller reports the peer as unproven.
    expect(isUnprovenPeer(error)).toBe(true);
    expect(ConnectError.from(error.cause).rawMessage).toMatch(/^service token is meant for another service/);
  });

  it("answers orchestrators' health checks without a token where health is open", async () => {
    expect((await anonymous(healthOpen, protocol).check({ service: "" })).status).toBe(Status.SERVING);
  });

  it("treats a call without a token as a public call where identity is optional, but refuses a bad one", async () => {
    expect((await anonymous(optional, protocol).check({ service: "" })).status).toBe(Status.SERVING);
    const stranger = new ServiceIdentity("gateway", theirs);
    const client = createClient(
      Health,
      createInternalTransport(optional, [createServiceIdentityInterceptor(stranger, "provider-local")], protocol),
    );
    expect(isUnprovenPeer(await failure(client.check({ service: "" })))).toBe(true);
  });

  it("never uses a callee of another deployment", async () => {
    const error = await failure(identified(foreign, protocol).check({ service: "" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe(UNPROVEN_PEER_MESSAGE);
  });

  it("never uses an answer from a callee that cannot prove itself, even a successful one", async () => {
    // The plain server answers SERVING; the caller must not believe it.
    expect((await anonymous(plain, protocol).check({ service: "" })).status).toBe(Status.SERVING);
    const error = await failure(identified(plain, protocol).check({ service: "" }));
    expect(isUnprovenPeer(error)).toBe(true);
  });
});

describe("service tokens on the wire", () => {
  it("are reused for calls within a second, each with a fresh challenge", async () => {
    presented.length = 0;
    const client = identified(recording, "connect");
    for (let i = 0; i < 5; i++) await client.check({ service: "" });
    expect(new Set(presented.map((p) => p.token)).size).toBe(1);
    expect(new Set(presented.map((p) => p.challenge)).size).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await client.check({ service: "" });
    expect(presented[5]?.token).not.toBe(presented[0]?.token);
  });

  it("do not get a call through without a challenge to prove", async () => {
    const tokenOnly = createClient(
      Health,
      createInternalTransport(strict, [
        (next) => (req) => {
          req.header.set(SERVICE_TOKEN_HEADER, front.issue("provider-local"));
          return next(req);
        },
      ]),
    );
    const error = await failure(tokenOnly.check({ service: "" }));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toMatch(/^service challenge missing or malformed/);
  });
});

describe("unproven peers", () => {
  it("are logged with the peer's address, at most once per 30 s per client", async () => {
    const lines: string[] = [];
    const logger = recordingLogger(lines);
    const client = createClient(
      Health,
      createInternalTransport(foreign, [
        createServiceIdentityInterceptor(front, "provider-local", { logger, peerUrl: foreign }),
      ]),
    );
    await failure(client.check({ service: "" }));
    await failure(client.check({ service: "" }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`provider-local at ${foreign} could not prove it belongs to this deployment`);
  });
});
