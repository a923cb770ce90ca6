import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startSystem, type RunningSystem } from "./start-system.ts";
import { uploadLarge } from "./support/large-upload.ts";
import { peakResidentWhile } from "./support/process-memory.ts";

const MiB = 1024 * 1024;

// Envoy's native gRPC route (deploy/) reaches the front without the gateway: the front must then
// check a call's key before it reads the body, as the gateway does for what it forwards.
let system: RunningSystem;
let front: string;
beforeAll(async () => {
  const frontPort = await freePort();
  system = await startSystem({}, { frontPort });
  front = `http://127.0.0.1:${frontPort}`;
});
afterAll(() => system?.stop());

describe("a call straight to the front (no gateway, no service token)", () => {
  it("with a wrong key is refused before its body is read: 20 concurrent 20 MB bodies, flat memory", async () => {
    const { result, before, peak } = await peakResidentWhile([system.pid("front")], () =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          uploadLarge(
            `${front}/imagegen.v1.ImageService/TextToImage`,
            { authorization: "Bearer wrong", "content-type": "application/json" },
            20 * MiB,
          ),
        ),
      ),
    );
    expect(result.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(JSON.parse(result[0]!.body)).toMatchObject({ code: "unauthenticated", message: "invalid API key" });
    expect(peak - before).toBeLessThan(128 * MiB);
  });

  it("with a valid key is served as through the gateway", async () => {
    const res = await fetch(`${front}/imagegen.v1.ModelService/ListModels`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { models: unknown[] }).models.length).toBeGreaterThan(0);
  });
});
