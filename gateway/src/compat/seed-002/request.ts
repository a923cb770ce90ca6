import { intField, stringField, type BodyFields } from "../shared/http-input.ts";

/** Seed 002's own error codes (its table), raised while reading the request. */
export class Seed002Error extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, status = 400, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** A text2image request as seed 002 documents it, defaults applied. */
export interface Text2ImageParams {
  readonly prompt: string;
  readonly size: string;
  readonly width: number;
  readonly height: number;
  readonly quality: "standard" | "hd";
  readonly n: number;
  readonly seed?: number;
  /** Per-image seeds (`seeds`), when given. */
  readonly seeds: readonly number[];
  readonly useCache: boolean;
}

/** Parses JSON or multipart fields; the first problem becomes the seed's own error code. */
export function parseText2Image(body: BodyFields): Text2ImageParams {
  const { fields } = body;
  const prompt = (stringField(fields, "prompt") ?? "").trim();
  if (!prompt) throw new Seed002Error("MISSING_PROMPT", "Prompt darf nicht leer sein (prompt must not be empty)");
  const size = stringField(fields, "size") ?? "1024x1024";
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (!match)
    throw new Seed002Error(
      "INVALID_SIZE",
      `invalid size ${JSON.stringify(size.slice(0, 40))}: must be WIDTHxHEIGHT`,
      400,
      { size },
    );
  const quality = stringField(fields, "quality") ?? "standard";
  if (quality !== "standard" && quality !== "hd") {
    throw new Seed002Error(
      "INVALID_QUALITY",
      `invalid quality ${JSON.stringify(quality.slice(0, 40))}: must be "standard" or "hd"`,
      400,
      { quality },
    );
  }
  const seeds = parseSeeds(fields.seeds);
  return {
    prompt,
    size,
    width: Number(match[1]),
    height: Number(match[2]),
    quality,
    n: intField(fields, "n") ?? (seeds.length || 1),
    seed: intField(fields, "seed"),
    seeds,
    useCache: parseBoolean(fields.useCache, true),
  };
}

// `seeds`: a JSON array, or a string holding a JSON array or comma-separated numbers.
function parseSeeds(value: unknown): number[] {
  if (value === undefined || value === null || value === "") return [];
  let list: unknown = value;
  if (typeof value === "string") {
    const text = value.trim();
    list = text.startsWith("[") ? safeJson(text) : text.split(",").map((s) => s.trim());
  }
  if (!Array.isArray(list))
    throw new Seed002Error("TEXT2IMAGE_ERROR", "seeds must be a JSON array or a comma-separated list of integers", 400);
  return list.map((s) => {
    const n = typeof s === "number" ? s : typeof s === "string" && /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff)
      throw new Seed002Error("TEXT2IMAGE_ERROR", "every seed must be an integer from 0 to 4294967295", 400);
    return n;
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseBoolean(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "boolean") return value;
  return !/^(false|0|no|off)$/i.test(String(value).trim());
}
