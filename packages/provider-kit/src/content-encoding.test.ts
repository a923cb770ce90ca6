import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DecodedTooLarge, decodeContent } from "./content-encoding.ts";

const text = Buffer.from(JSON.stringify({ data: "x".repeat(1000) }));

describe("decodeContent", () => {
  it.each([
    ["gzip", gzipSync(text)],
    ["x-gzip", gzipSync(text)],
    ["deflate", deflateSync(text)],
    ["deflate", deflateRawSync(text)],
    ["br", brotliCompressSync(text)],
    ["gzip, br", brotliCompressSync(gzipSync(text))],
    ["identity", text],
  ])("undoes %s", async (coding, body) => {
    expect(await decodeContent(body, coding, 1 << 20)).toEqual(text);
  });

  it("leaves a body with a coding it does not know as it is", async () => {
    const body = gzipSync(text);
    expect(await decodeContent(body, "gzip, compress", 1 << 20)).toBe(body);
  });

  it("refuses a body that decodes past its cap", async () => {
    await expect(decodeContent(gzipSync(text), "gzip", 100)).rejects.toBeInstanceOf(DecodedTooLarge);
  });

  it("fails on a body that does not decode", async () => {
    await expect(decodeContent(Buffer.from("not gzip"), "gzip", 1 << 20)).rejects.toThrow();
  });
});
