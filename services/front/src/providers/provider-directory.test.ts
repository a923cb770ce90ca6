import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ProviderService } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createDualProtocolServer, createLogger, type DualProtocolServer } from "@imagegen/server-kit";
import { afterEach, describe, expect, it } from "vitest";
import { ProviderDirectory } from "./provider-directory.ts";

// A provider whose DescribeProvider answers at once, or is "busy" and never answers in time.
let busy = false;
const servers: DualProtocolServer[] = [];
async function startProvider(): Promise<string> {
  const server = createDualProtocolServer(
    connectNodeAdapter({
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
    const serving = new ProviderDirectory([{ id: "p", url }], logger);
    const idle = new ProviderDirectory([{ id: "p", url }], logger);
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
    const directory = new ProviderDirectory([{ id: "p", url }], logger);
    await directory.refresh();
    directory.recordOutcome("p", false);
    await Promise.all(servers.splice(0).map((s) => s.close(0)));
    for (let i = 0; i < 2; i++) await directory.refresh();
    expect(directory.isUsable("p")).toBe(false);
  });

  it("forgets a missed describe once one succeeds", async () => {
    const url = await startProvider();
    const directory = new ProviderDirectory([{ id: "p", url }], logger);
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
    const directory = new ProviderDirectory([{ id: "p", url, notStarted: "not started (token not set)" }], logger);
    await directory.refresh();
    expect(directory.isUsable("p")).toBe(false);
    expect(directory.anyUsable()).toBe(false);
    expect(directory.problem("p")).toBe("not started (token not set)");
  });
});
