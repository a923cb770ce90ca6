import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ProviderService } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { randomBytes } from "node:crypto";
import {
  createDualProtocolServer,
  createLogger,
  createServiceIdentityGate,
  ServiceIdentity,
  type DualProtocolServer,
  type Logger,
} from "@imagegen/server-kit";
import { afterEach, describe, expect, it } from "vitest";
import { ProviderDirectory, UNPROVEN_PROVIDER_PROBLEM } from "./provider-directory.ts";

const secret = randomBytes(32);
const front = new ServiceIdentity("front", secret);

// A provider whose DescribeProvider answers at once, or is "busy" and never answers in time. It
// proves itself with `providerSecret` (this deployment's by default), or not at all (null).
let busy = false;
const servers: DualProtocolServer[] = [];
async function startProvider(providerSecret: Buffer | null = secret): Promise<string> {
  const server = createDualProtocolServer(
    connectNodeAdapter({
      requestGate: providerSecret
        ? createServiceIdentityGate(new ServiceIdentity("provider-p", providerSecret), { required: true })
        : undefined,
      routes: (router) =>
        router.service(ProviderService, {
          async describeProvider(_, context) {
            if (busy) await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
            return { id: "p", configured: true, models: [{ id: "m" }] };
          },
        }),
    }),
  );
  servers.push(server);
  return `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
}
afterEach(async () => {
  busy = false;
  await Promise.all(servers.splice(0).map((s) => s.close(0)));
});

const logger = createLogger("test");

describe("provider directory", () => {
  it("keeps a provider that is serving calls when its describe is too slow, and drops one that is not", async () => {
    const url = await startProvider();
    const serving = new ProviderDirectory([{ id: "p", url }], logger, front);
    const idle = new ProviderDirectory([{ id: "p", url }], logger, front);
    await Promise.all([serving.refresh(), idle.refresh()]);
    expect([serving.isUsable("p"), idle.isUsable("p")]).toEqual([true, true]);
    serving.recordOutcome("p", false);
    busy = true;
    for (let i = 0; i < 2; i++) await Promise.all([serving.refresh(), idle.refresh()]);
    expect(serving.isUsable("p")).toBe(true);
    expect(idle.isUsable("p")).toBe(false);
    expect(idle.problem("p")).toBe("provider service not running");
  }, 15_000);

  it("drops a provider whose process is gone even if it served a moment ago", async () => {
    const url = await startProvider();
    const directory = new ProviderDirectory([{ id: "p", url }], logger, front);
    await directory.refresh();
    directory.recordOutcome("p", false);
    await Promise.all(servers.splice(0).map((s) => s.close(0)));
    for (let i = 0; i < 2; i++) await directory.refresh();
    expect(directory.isUsable("p")).toBe(false);
  });

  it("forgets a missed describe once one succeeds", async () => {
    const url = await startProvider();
    const directory = new ProviderDirectory([{ id: "p", url }], logger, front);
    await directory.refresh();
    busy = true;
    await directory.refresh();
    busy = false;
    await directory.refresh();
    busy = true;
    await directory.refresh();
    // One miss, a success, one miss: never two in a row.
    expect(directory.isUsable("p")).toBe(true);
  }, 15_000);

  it("never calls a provider this system did not start, even when something answers on its URL", async () => {
    const url = await startProvider();
    const directory = new ProviderDirectory(
      [{ id: "p", url, notStarted: "not started (token not set)" }],
      logger,
      front,
    );
    await directory.refresh();
    expect(directory.isUsable("p")).toBe(false);
    expect(directory.anyUsable()).toBe(false);
    expect(directory.problem("p")).toBe("not started (token not set)");
  });

  it.each([
    ["has another deployment's secret", randomBytes(32)],
    ["has no identity at all", null],
  ])("never uses a provider that %s, and says why in its log and its models' reason", async (_name, providerSecret) => {
    const url = await startProvider(providerSecret);
    const warnings: string[] = [];
    const recording: Logger = { ...logger, warn: (msg) => void warnings.push(msg) };
    const directory = new ProviderDirectory([{ id: "p", url }], recording, front);
    await directory.refresh();
    await directory.refresh();
    expect(directory.isUsable("p")).toBe(false);
    expect(directory.model("p", "m")).toBeUndefined();
    expect(directory.problem("p")).toBe(UNPROVEN_PROVIDER_PROBLEM);
    // Said once, with the address, however often it is looked at.
    expect(warnings).toEqual([`provider at ${url} could not prove it belongs to this deployment; not routing to it`]);
  });

  it("drops a provider that just served once its address answers for another process", async () => {
    const url = await startProvider();
    const directory = new ProviderDirectory([{ id: "p", url }], logger, front);
    await directory.refresh();
    directory.recordOutcome("p", false);
    expect(directory.isUsable("p")).toBe(true);
    const port = Number(new URL(url).port);
    await Promise.all(servers.splice(0).map((s) => s.close(0)));
    const impostor = createDualProtocolServer(
      connectNodeAdapter({
        routes: (router) =>
          router.service(ProviderService, {
            describeProvider: () => ({ id: "p", configured: true, models: [{ id: "m" }] }),
          }),
      }),
    );
    servers.push(impostor);
    await impostor.listen(port, "127.0.0.1");
    // The first look may only see the old connection go; a provider that served a moment ago
    // survives that (see SERVING_IS_ALIVE_MS), but not an answer without the proof.
    await directory.refresh();
    await directory.refresh();
    expect(directory.isUsable("p")).toBe(false);
    expect(directory.problem("p")).toBe(UNPROVEN_PROVIDER_PROBLEM);
  });
});
