import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describeError } from "@imagegen/errors";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageStore } from "../images/image-store.ts";
import { resolveInputImage, type InputImageDeps } from "./input-image.ts";

const dir = mkdtempSync(join(tmpdir(), "input-image-"));
const images = new ImageStore(dir, "http://gw.example:8080", Buffer.from("k".repeat(32)));
// Fetching is refused for everything here: any attempt would fail these tests' expectations.
const deps: InputImageDeps = { images, maxPixels: 4096 * 4096, fetch: { maxBytes: 1024, timeoutMs: 1000 } };
let png: Buffer;
let ownUrl: string;

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "ascii"), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

// A real PNG header declaring 30000×30000 over a few bytes of data.
function bomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(30000, 0);
  ihdr.writeUInt32BE(30000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc(64))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

beforeAll(async () => {
  png = await sharp({ create: { width: 40, height: 24, channels: 3, background: "#336699" } })
    .png()
    .toBuffer();
  ownUrl = images.url(await images.put("gen_a", "img_b", "png", png));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveInputImage", () => {
  it.each([
    ["a data: URL", () => `data:image/png;base64,${png.toString("base64")}`],
    ["raw base64", () => png.toString("base64")],
    ["one of our signed URLs (read from the store)", () => ownUrl],
  ])("accepts %s", async (_name, value) => {
    const image = await resolveInputImage(value(), "init_image", deps);
    expect([image.format, image.width, image.height]).toEqual([Format.PNG, 40, 24]);
    expect(Buffer.from(image.data).equals(png)).toBe(true);
  });

  it.each([
    ["a 30000×30000 header, without decoding it", () => bomb().toString("base64"), /30000x30000/],
    // The first character of the signature, always changed (never replaced by itself).
    [
      "a tampered signature of ours",
      () => ownUrl.replace(/sig=(.)/, (_m, c: string) => `sig=${c === "A" ? "B" : "A"}`),
      /signature/,
    ],
    ["a non-base64 data: URL", () => "data:image/png,abc", /base64/],
    ["text that is no image", () => Buffer.from("hello world").toString("base64"), /not a readable/],
    [
      "a GIF",
      () => Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64").toString("base64"),
      /gif images are not accepted/,
    ],
    ["a loopback URL", () => "http://127.0.0.1:1/x.png", /not a public address/],
  ])("refuses %s as INVALID_IMAGE on the field", async (_name, value, message) => {
    const error = await resolveInputImage(value(), "init_image", deps).catch((e: unknown) => e);
    const described = describeError(error);
    expect(described.row.name).toBe("INVALID_IMAGE");
    expect(described.message).toMatch(message);
    expect(described.fieldViolations[0]?.field).toBe("init_image");
  });
});
