import { describe, expect, it } from "vitest";
import type { BodyFields } from "../shared/http-input.ts";
import { parseText2Image, Seed002Error } from "./request.ts";

const json = (fields: Record<string, unknown>): BodyFields => ({ fields, files: new Map(), kind: "json" });
const form = (fields: Record<string, string>): BodyFields => ({ fields, files: new Map(), kind: "multipart" });

describe("seed 002 request parsing", () => {
  it("applies the documented defaults", () => {
    expect(parseText2Image(json({ prompt: "a lake" }))).toEqual({
      prompt: "a lake",
      size: "1024x1024",
      width: 1024,
      height: 1024,
      quality: "standard",
      n: 1,
      seed: undefined,
      seeds: [],
      useCache: true,
    });
  });

  it.each([
    ["a JSON array", json({ prompt: "p", seeds: [101, 102] }), [101, 102]],
    ["a JSON-array string", form({ prompt: "p", seeds: "[5, 6, 7]" }), [5, 6, 7]],
    ["a comma string", form({ prompt: "p", seeds: "1, 2,3" }), [1, 2, 3]],
    ["absent", json({ prompt: "p" }), []],
  ])("reads seeds from %s", (_name, body, seeds) => {
    const parsed = parseText2Image(body);
    expect(parsed.seeds).toEqual(seeds);
    expect(parsed.n).toBe(seeds.length || 1);
  });

  it.each([
    [json({ prompt: "p", useCache: false }), { useCache: false, n: 1, seed: undefined }],
    [form({ prompt: "p", useCache: "false" }), { useCache: false, n: 1, seed: undefined }],
    [form({ prompt: "p", useCache: "true" }), { useCache: true, n: 1, seed: undefined }],
    [form({ prompt: "p", n: "3", seed: "42" }), { useCache: true, n: 3, seed: 42 }],
    [json({ prompt: "p", n: 2, seed: 7 }), { useCache: true, n: 2, seed: 7 }],
  ])("reads useCache, n and seed from JSON values or form text (%#)", (body, expected) => {
    expect(parseText2Image(body)).toMatchObject(expected);
  });

  it.each([
    ["MISSING_PROMPT", json({})],
    ["MISSING_PROMPT", json({ prompt: "   " })],
    ["INVALID_SIZE", json({ prompt: "p", size: "1024" })],
    ["INVALID_SIZE", json({ prompt: "p", size: "1024x1024x3" })],
    ["INVALID_QUALITY", json({ prompt: "p", quality: "ultra" })],
    ["TEXT2IMAGE_ERROR", json({ prompt: "p", seeds: "a,b" })],
  ])("refuses with %s", (code, body) => {
    const error = (() => {
      try {
        parseText2Image(body);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Seed002Error);
    expect((error as Seed002Error).code).toBe(code);
    expect((error as Seed002Error).status).toBe(400);
  });
});
