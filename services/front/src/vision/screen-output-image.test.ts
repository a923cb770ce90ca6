import { create } from "@bufbuild/protobuf";
import { describeError } from "@imagegen/errors";
import { OutputImageSchema } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createVisionPool } from "@imagegen/vision";
import { describe, expect, it } from "vitest";
import { createOutputScreening } from "./screen-output-image.ts";
import { visionConfigFromEnv } from "./vision-config.ts";

// The policy alone, on scores a provider reports itself (the NSFWJS path runs in gateway/test/vision.test.ts).
const scored = (nsfwScore: number | undefined) => create(OutputImageSchema, { data: new Uint8Array([1]), nsfwScore });
const vision = { nsfwThreshold: 0.7, enforcedTiers: new Set(["free"]) };
const pro = { owner: "owner", tier: "pro" };

describe("output screening", () => {
  it.each([
    ["below the threshold, filter on", 0.69, true, "passes"],
    ["at the threshold, filter on", 0.7, true, "CONTENT_POLICY"],
    ["above the threshold, filter off", 0.95, false, "passes"],
  ])("%s: %s", async (_name, score, filterOn, outcome) => {
    const screen = createOutputScreening(vision, () => filterOn);
    const result = await screen(pro, scored(score)).then(
      (s) => (s === score ? "passes" : `returned ${s}`),
      (e: unknown) => describeError(e).row.name,
    );
    expect(result).toBe(outcome);
  });

  it("leaves the score absent and withholds nothing when no classifier ran", async () => {
    await expect(createOutputScreening(vision, () => true)(pro, scored(undefined))).resolves.toBeUndefined();
  });

  it("gives up a canceled generation's image at once instead of queueing it for the models", async () => {
    const pool = createVisionPool();
    try {
      const screen = createOutputScreening({ ...vision, pool }, () => true);
      const canceled = new AbortController();
      canceled.abort();
      const error = await screen(pro, scored(undefined), canceled.signal).catch((e: unknown) => e);
      expect(describeError(error).row.name).toBe("CANCELED");
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it("always filters an enforced tier, whatever the owner's preference", async () => {
    const screen = createOutputScreening(vision, () => false);
    const error = await screen({ owner: "owner", tier: "free" }, scored(0.9)).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("CONTENT_POLICY");
    expect(describeError(error).message).toContain("free tier");
    await expect(screen({ owner: "owner", tier: "free" }, scored(0.1))).resolves.toBe(0.1);
  });
});

describe("vision configuration", () => {
  it("is on by default with a 0.7 threshold enforced on the free tier, and off on request", async () => {
    const on = visionConfigFromEnv({});
    expect(on.pool).toBeDefined();
    expect(on.nsfwThreshold).toBe(0.7);
    expect([...on.enforcedTiers]).toEqual(["free"]);
    expect([
      ...visionConfigFromEnv({ IMAGEGEN_VISION: "off", IMAGEGEN_NSFW_ENFORCED_TIERS: "" }).enforcedTiers,
    ]).toEqual([]);
    await on.pool?.close();
    expect(visionConfigFromEnv({ IMAGEGEN_VISION: "off" }).pool).toBeUndefined();
  });

  it.each([
    [{ IMAGEGEN_VISION: "yes" }, /IMAGEGEN_VISION/],
    [{ IMAGEGEN_NSFW_THRESHOLD: "1.5" }, /IMAGEGEN_NSFW_THRESHOLD/],
    [{ IMAGEGEN_NSFW_THRESHOLD: "high" }, /IMAGEGEN_NSFW_THRESHOLD/],
    [{ IMAGEGEN_VISION_MAX_QUEUED: "-1" }, /IMAGEGEN_VISION_MAX_QUEUED/],
  ])("refuses to start with %o", (env, message) => {
    expect(() => visionConfigFromEnv({ IMAGEGEN_VISION: "off", ...env })).toThrow(message);
  });
});
