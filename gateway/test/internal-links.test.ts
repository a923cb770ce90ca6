import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
let nearLimitBody: string;
/** Enterprise keys of separate owners: 60 calls at once are more than one owner may run (32). */
const keys: string[] = [];
beforeAll(async () => {
  system = await startSystem();
  for (const owner of ["links-a", "links-b", "links-c"]) {
    const res = await fetch(`${system.baseUrl}/api/v2/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ owner, tier: "enterprise" }),
    });
    keys.push(((await res.json()) as { secret: string }).secret);
  }
  // Noise does not compress: a 2800×2800 PNG of it is ~23.5 MB, ~31.4 MB as a data: URL, just
  // under init_image's 32 MiB limit — the largest image-to-image request a client can send.
  const png = await sharp(randomBytes(2800 * 2800 * 3), { raw: { width: 2800, height: 2800, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  nearLimitBody = JSON.stringify({
    init_image: `data:image/png;base64,${png.toString("base64")}`,
    prompt: "the same picture, warmer",
    model: "local",
    parameters: { width: 256, height: 256 },
  });
}, 60_000);
afterAll(() => system?.stop());

const headers = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

async function generateSmall(i: number): Promise<number> {
  const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
    method: "POST",
    headers: headers(keys[i % 2]!),
    body: JSON.stringify({ prompt: `a small lighthouse ${i}`, model: "local", parameters: { width: 64, height: 64 } }),
  });
  await res.arrayBuffer();
  return res.status;
}

// An upload the edge has no room for yet is told when to come back; a client that listens to
// Retry-After gets through.
// Answers as "200", or the status with the error's code and message, so a failure says why.
async function uploadNearLimit(): Promise<string> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await fetch(`${system.baseUrl}/api/v2/generate/image-to-image`, {
      method: "POST",
      headers: headers(keys[2]!),
      body: nearLimitBody,
    });
    const text = await res.text();
    if (res.status === 200) return "200";
    if (res.status !== 503) return `${res.status} ${text.slice(0, 300)}`;
    await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after") ?? 1) * 1000));
  }
  return "503 after 60 attempts";
}

describe("one request never fails another on the shared internal links", () => {
  it("10 near-limit uploads beside 50 small generations: all 50 succeed, and so do the uploads", async () => {
    expect(nearLimitBody.length).toBeGreaterThan(30_000_000);
    const uploads = Array.from({ length: 10 }, () => uploadNearLimit());
    const small = Array.from({ length: 50 }, (_, i) => generateSmall(i));
    expect(await Promise.all(small)).toEqual(Array(50).fill(200));
    expect(await Promise.all(uploads)).toEqual(Array(10).fill("200"));
  }, 240_000);
});
