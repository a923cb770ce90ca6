import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@imagegen/proto/grpc/health/v1/health_pb";
import {
  Format,
  ProviderService,
  type DescribeProviderResponse,
  type GenerateResponse,
  GenerateResponseSchema,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import {
  createDualProtocolServer,
  createInternalTransport,
  createServiceIdentityGate,
  createServiceIdentityInterceptor,
  INTERNAL_PROTOCOLS,
  SERVICE_SECRET_FILE,
  SERVICE_TOKEN_HEADER,
  ServiceIdentity,
  type DualProtocolServer,
} from "@imagegen/server-kit";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Issue 15, point 5: a provider process answers only callers holding this deployment's identity,
// and the front never uses a process on a provider's address that cannot prove it belongs — be it
// one with no identity at all, or another deployment's provider with its own secret.
let system: RunningSystem;
let localUrl: string;
let secret: Buffer;

beforeAll(async () => {
  system = await startSystem();
  secret = readFileSync(join(system.dataDir, SERVICE_SECRET_FILE));
  const listening = system
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { service?: string; msg?: string; port?: number })
    .find((l) => l.service === "provider-local" && l.msg === "listening");
  localUrl = `http://127.0.0.1:${listening!.port}`;
}, 60_000);
afterAll(async () => {
  await system?.stop();
});

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

function providerClient(protocol: string, interceptors: Interceptor[] = []) {
  return createClient(ProviderService, createInternalTransport(localUrl, interceptors, protocol));
}

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded");
}

async function localModel(): Promise<{ status: string; status_reason?: string } | undefined> {
  const res = await fetch(`${system.baseUrl}/api/v2/models`, { headers: auth() });
  if (!res.ok) return undefined;
  const { models } = (await res.json()) as { models: Array<{ id: string; status: string; status_reason?: string }> };
  return models.find((m) => m.id === "local");
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe.each(INTERNAL_PROTOCOLS)("a provider process called over %s", (protocol) => {
  it("refuses a caller without the deployment's identity", async () => {
    const error = await failure(providerClient(protocol).describeProvider({}));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("service token missing: this service answers only its own deployment's services");
  });

  it("refuses to start a job for a caller without it, and for one with a forged token", async () => {
    const job = { model: "local-procedural", prompt: "x", width: 64, height: 64, numOutputs: 1 };
    const anonymous = await failure(
      (async () => {
        for await (const _ of providerClient(protocol).generate(job)) void _;
      })(),
    );
    expect(anonymous.code).toBe(Code.Unauthenticated);
    const forged: Interceptor = (next) => (req) => {
      req.header.set(SERVICE_TOKEN_HEADER, `v1.front.provider-local.${Date.now()}.bm9uY2U.${"A".repeat(43)}`);
      return next(req);
    };
    const error = await failure(
      (async () => {
        for await (const _ of providerClient(protocol, [forged]).generate(job)) void _;
      })(),
    );
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toMatch(/^service token not signed by this deployment/);
  });

  it("refuses another deployment's caller", async () => {
    const stranger = new ServiceIdentity("front", randomBytes(32));
    const error = await failure(
      providerClient(protocol, [createServiceIdentityInterceptor(stranger, "provider-local")]).describeProvider({}),
    );
    // It refused the token (UNAUTHENTICATED, without a proof): the stranger reports it unproven.
    expect(error.code).toBe(Code.Unavailable);
    expect(ConnectError.from(error.cause).code).toBe(Code.Unauthenticated);
  });

  it("answers this deployment's caller and proves itself", async () => {
    const front = new ServiceIdentity("front", secret);
    const description = await providerClient(protocol, [
      createServiceIdentityInterceptor(front, "provider-local"),
    ]).describeProvider({});
    expect(description.configured).toBe(true);
  });

  it("answers an orchestrator's health check without identity", async () => {
    const health = createClient(Health, createInternalTransport(localUrl, [], protocol));
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
  });
});

describe("the front", () => {
  it("refuses a caller that presents a service token it cannot verify", async () => {
    const listening = system
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { service?: string; msg?: string; port?: number })
      .find((l) => l.service === "front" && l.msg === "listening");
    const url = `http://127.0.0.1:${listening!.port}`;
    const stranger = new ServiceIdentity("gateway", randomBytes(32));
    const health = createClient(
      Health,
      createInternalTransport(url, [createServiceIdentityInterceptor(stranger, "front")]),
    );
    const error = await failure(health.check({ service: "" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(ConnectError.from(error.cause).rawMessage).toMatch(/^service token not signed by this deployment/);
    // Its own gateway gets through (the system is ready), and so does a public, tokenless call.
    expect((await createClient(Health, createInternalTransport(url, [])).check({ service: "" })).status).toBe(
      Status.SERVING,
    );
  });
});

describe("a foreign process on a provider's address", () => {
  let description: DescribeProviderResponse;
  let png: Buffer;
  beforeAll(async () => {
    const front = new ServiceIdentity("front", secret);
    description = await providerClient("connect", [
      createServiceIdentityInterceptor(front, "provider-local"),
    ]).describeProvider({});
    png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c0ffee" } })
      .png()
      .toBuffer();
  });

  // A stand-in that declares exactly what the real local provider declares and renders whatever
  // it is asked — so only its identity can keep the front from using it.
  async function startImpostor(impostorSecret: Buffer | null): Promise<{ server: DualProtocolServer; jobs: string[] }> {
    const jobs: string[] = [];
    const server = createDualProtocolServer(
      connectNodeAdapter({
        requestGate: impostorSecret
          ? createServiceIdentityGate(new ServiceIdentity("provider-local", impostorSecret), { required: true })
          : undefined,
        routes: (router) =>
          router.service(ProviderService, {
            describeProvider: () => description,
            async *generate(req): AsyncIterable<GenerateResponse> {
              jobs.push(req.prompt);
              yield create(GenerateResponseSchema, {
                event: { case: "image", value: { index: 0, data: png, format: Format.PNG, width: 64, height: 64 } },
              });
              yield create(GenerateResponseSchema, { event: { case: "completed", value: { imageCount: 1 } } });
            },
          }),
      }),
    );
    await server.listen(Number(new URL(localUrl).port), "127.0.0.1");
    return { server, jobs };
  }

  it.each([
    ["a process without any identity", null],
    ["another deployment's provider", randomBytes(32)],
  ] as const)(
    "is never used when it is %s: requests fail clearly, it renders nothing, the log and /readyz say why",
    async (_name, impostorSecret) => {
      await waitFor("the real local provider serves", async () => (await localModel())?.status === "active");
      const warning = `provider at ${localUrl} could not prove it belongs to this deployment; not routing to it`;
      const warningsBefore = system.output().split(warning).length;
      await system.kill("local", "SIGTERM");
      const impostor = await startImpostor(impostorSecret);
      try {
        await waitFor(
          "the front stops listing local as active",
          async () => (await localModel())?.status === "unavailable",
        );
        expect((await localModel())?.status_reason).toContain("could not prove it belongs to this deployment");

        const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
          method: "POST",
          headers: { ...auth(), "content-type": "application/json" },
          body: JSON.stringify({ prompt: "a lighthouse for the impostor", model: "local", use_cache: false }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json()) as { error?: { code: string; message: string } };
        expect(res.status).toBe(503);
        expect(body.error?.message).toContain("could not prove it belongs to this deployment");
        expect(impostor.jobs).toEqual([]);

        const ready = await fetch(`${system.baseUrl}/readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({
          status: "not_ready",
          detail: { providers: { local: "provider service could not prove it belongs to this deployment" } },
        });
        expect(system.output().split(warning).length).toBe(warningsBefore + 1);
      } finally {
        await impostor.server.close(0);
        system.restart("local");
      }
    },
    90_000,
  );
});
