import { readFileSync } from "node:fs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

// The offline image models end to end through `npm start`'s processes (README, "Offline image models").
// IMAGEGEN_NSFW_THRESHOLD=0 flags every image, so the filter's effect is visible with benign photos.
let system: RunningSystem;
beforeAll(async () => {
  system = await startSystem({ IMAGEGEN_VISION: "on", IMAGEGEN_NSFW_THRESHOLD: "0" });
});
afterAll(() => system?.stop());

const fixture = (name: string) => readFileSync(new URL(`../../packages/vision/fixtures/${name}`, import.meta.url));
const cup = fixture("coffee-cup.jpg");

async function call(method: string, path: string, body?: unknown, key = system.adminKey) {
  const res = await fetch(system.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

describe("offline image models behind the API", () => {
  it("withholds a flagged result from a caller whose nsfw_filter is on: failed, CONTENT_POLICY, not charged", async () => {
    const { status, json } = await call("POST", "/api/v2/generate/text-to-image", {
      prompt: "a red apple",
      model: "local",
      parameters: { width: 64, height: 64 },
    });
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: "CONTENT_POLICY", type: "content_policy_error" });
    const listed = await call("GET", "/api/v2/generations?status=failed");
    const failed = listed.json.generations.find((g: { prompt: string }) => g.prompt === "a red apple");
    expect(failed).toMatchObject({ status: "failed", error: { reason: "content_policy" } });
    expect(failed.images ?? []).toHaveLength(0);
    expect(failed.cost).toBeUndefined();
  }, 60_000);

  it("with nsfw_filter off, scores the image and lists the objects of the source photo", async () => {
    expect((await call("PATCH", "/api/v2/user/preferences", { nsfw_filter: false })).status).toBe(200);
    const { status, json } = await call("POST", "/api/v2/generate/image-to-image", {
      init_image: `data:image/jpeg;base64,${cup.toString("base64")}`,
      prompt: "the same cup in watercolour",
      model: "local",
    });
    expect(status).toBe(200);
    expect(json.status).toBe("completed");
    expect(json.images[0].nsfw_score).toBeGreaterThanOrEqual(0);
    expect(json.images[0].nsfw_score).toBeLessThan(0.3);
    expect(json.source_image.analysis.detected_objects).toContain("cup");
    // Stored with the image: a later read reports the same score.
    const again = await call("GET", `/api/v2/generations/${json.id}`);
    expect(again.json.images[0].nsfw_score).toBe(json.images[0].nsfw_score);
  }, 60_000);

  it("counts the faces of an upscale's input with enhance_faces, and enhances none (no offline face model)", async () => {
    // The result is screened too: with the threshold at 0 only a caller without the filter gets it.
    expect((await call("PATCH", "/api/v2/user/preferences", { nsfw_filter: false })).status).toBe(200);
    const portrait = `data:image/jpeg;base64,${fixture("astronaut.jpg").toString("base64")}`;
    const { status, json } = await call("POST", "/api/v2/process/upscale", {
      image_url: portrait,
      scale_factor: 2,
      enhance_faces: true,
      model: "local",
    });
    expect(status).toBe(200);
    expect(json.result.upscaled_dimensions).toEqual({ width: 768, height: 768 });
    expect(json.result.enhancement_details).toEqual({ faces_detected: 1, faces_enhanced: 0 });
    expect(json.result.nsfw_score).toBeLessThan(0.3);
    const plain = await call("POST", "/api/v2/process/upscale", {
      image_url: portrait,
      scale_factor: 2,
      model: "local",
    });
    expect(plain.json.result.enhancement_details).toBeUndefined();
  }, 60_000);

  it("upscales with the offline ESRGAN-slim model under its own name, at a size that is no multiple of 8", async () => {
    expect((await call("PATCH", "/api/v2/user/preferences", { nsfw_filter: false })).status).toBe(200);
    const odd = await sharp(cup).resize(90, 67).png().toBuffer();
    const { status, json } = await call("POST", "/api/v2/process/upscale", {
      image_url: `data:image/png;base64,${odd.toString("base64")}`,
      scale_factor: 4,
      model: "esrgan-slim",
    });
    expect(status).toBe(200);
    expect(json.result.upscaled_dimensions).toEqual({ width: 360, height: 268 });
    // Offline background removal (ISNet) takes any input size too.
    const keyed = await call("POST", "/api/v2/process/remove-background", {
      image_url: `data:image/png;base64,${odd.toString("base64")}`,
    });
    expect(keyed.status).toBe(200);
    expect(keyed.json.result.nsfw_score).toBeGreaterThanOrEqual(0);
    const plain = await call("POST", "/api/v2/process/upscale", {
      image_url: `data:image/png;base64,${odd.toString("base64")}`,
      scale_factor: 2,
      model: "local",
    });
    expect(plain.json.result.upscaled_dimensions).toEqual({ width: 180, height: 134 });
    const models = await call("GET", "/api/v2/models");
    expect(JSON.stringify(models.json)).toContain("ESRGAN slim (offline)");
  }, 60_000);

  it("scores filtered images too, and withholds them from a caller whose filter is on", async () => {
    const body = { image_url: `data:image/jpeg;base64,${cup.toString("base64")}`, filters: [{ type: "grayscale" }] };
    expect((await call("PATCH", "/api/v2/user/preferences", { nsfw_filter: false })).status).toBe(200);
    const scored = await call("POST", "/api/v2/process/filters", body);
    expect(scored.status).toBe(200);
    expect(scored.json.processed_image.nsfw_score).toBeLessThan(0.3);
    expect((await call("PATCH", "/api/v2/user/preferences", { nsfw_filter: true })).status).toBe(200);
    const withheld = await call("POST", "/api/v2/process/filters", body);
    expect([withheld.status, withheld.json.error?.code]).toEqual([400, "CONTENT_POLICY"]);
  }, 60_000);

  it("always filters a free-tier key's results, even with its owner's nsfw_filter off", async () => {
    const created = await call("POST", "/api/v2/admin/keys", { owner: "free-owner", tier: "free" });
    const key = created.json.secret as string;
    expect((await call("PATCH", "/api/v2/user/preferences", { nsfw_filter: false }, key)).status).toBe(200);
    const { status, json } = await call(
      "POST",
      "/api/v2/generate/text-to-image",
      { prompt: "a pear", model: "local", parameters: { width: 64, height: 64 } },
      key,
    );
    expect([status, json.error?.code]).toEqual([400, "CONTENT_POLICY"]);
    expect(json.error.message).toContain("free tier");
  }, 60_000);
});
