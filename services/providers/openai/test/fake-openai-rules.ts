/**
 * The per-model request rules of the fake OpenAI Images API (openai.md §2): allowed sizes, n,
 * prompt length, and which fields each family refuses. A violation is answered like OpenAI
 * does: 400 `invalid_request_error` naming the `param`.
 */

/** One model's rules. */
export interface FakeModelRules {
  readonly family: "dall-e-2" | "dall-e-3" | "gpt-image";
  /** Allowed "WxH" values; undefined = gpt-image-2's free sizes (multiples of 16, ≤ 3840x2160). */
  readonly sizes?: readonly string[];
  readonly maxN: number;
  readonly maxPrompt: number;
}

const GPT_SIZES = ["1024x1024", "1536x1024", "1024x1536", "auto"];

/** The models the fake knows; anything else is `model_not_found`. */
export const FAKE_MODELS: Record<string, FakeModelRules> = {
  "gpt-image-1": { family: "gpt-image", sizes: GPT_SIZES, maxN: 10, maxPrompt: 32_000 },
  "gpt-image-1-mini": { family: "gpt-image", sizes: GPT_SIZES, maxN: 10, maxPrompt: 32_000 },
  "gpt-image-1.5": { family: "gpt-image", sizes: GPT_SIZES, maxN: 10, maxPrompt: 32_000 },
  "gpt-image-2": { family: "gpt-image", maxN: 10, maxPrompt: 32_000 },
  "dall-e-3": { family: "dall-e-3", sizes: ["1024x1024", "1792x1024", "1024x1792"], maxN: 1, maxPrompt: 4000 },
  "dall-e-2": { family: "dall-e-2", sizes: ["256x256", "512x512", "1024x1024"], maxN: 10, maxPrompt: 1000 },
};

/** A 400 the fake answers: the offending field and OpenAI-style words. */
export interface RuleViolation {
  readonly param: string;
  readonly message: string;
}

/** The scalar fields of a request, whatever its encoding (multipart numbers arrive as strings). */
export type FakeFields = Record<string, string | number | boolean | undefined>;

/** Checks the fields every endpoint shares; returns the first violation. */
export function checkFields(
  rules: FakeModelRules,
  fields: FakeFields,
  needsPrompt: boolean,
): RuleViolation | undefined {
  const prompt = fields.prompt;
  if (needsPrompt && (typeof prompt !== "string" || prompt.length === 0)) {
    return { param: "prompt", message: "Missing required parameter: 'prompt'." };
  }
  if (typeof prompt === "string" && prompt.length > rules.maxPrompt) {
    return {
      param: "prompt",
      message: `Invalid 'prompt': string too long. Expected a string with maximum length ${rules.maxPrompt}, but got a string with length ${prompt.length} instead.`,
    };
  }
  const n = fields.n === undefined ? 1 : Number(fields.n);
  if (!Number.isInteger(n) || n < 1 || n > rules.maxN) {
    return {
      param: "n",
      message:
        rules.maxN === 1
          ? "Invalid 'n': dall-e-3 only supports n=1."
          : `Invalid 'n': must be between 1 and ${rules.maxN}.`,
    };
  }
  const size = fields.size === undefined ? undefined : String(fields.size);
  if (size !== undefined && !sizeAllowed(rules, size)) {
    return {
      param: "size",
      message: `Invalid value: '${size}'. Supported values are: ${(rules.sizes ?? ["WxH, multiples of 16"]).map((s) => `'${s}'`).join(", ")}.`,
    };
  }
  if (rules.family === "gpt-image" && fields.response_format !== undefined) {
    return { param: "response_format", message: "Unknown parameter: 'response_format'." };
  }
  if (rules.family !== "gpt-image") {
    for (const param of ["output_format", "output_compression", "background", "moderation"]) {
      if (fields[param] !== undefined) return { param, message: `Unknown parameter: '${param}'.` };
    }
  }
  const format = fields.output_format;
  if (format !== undefined && !["png", "jpeg", "webp"].includes(String(format))) {
    return {
      param: "output_format",
      message: `Invalid value: '${String(format)}'. Supported values are: 'png', 'jpeg' and 'webp'.`,
    };
  }
  const responseFormat = fields.response_format;
  if (responseFormat !== undefined && responseFormat !== "url" && responseFormat !== "b64_json") {
    return {
      param: "response_format",
      message: `Invalid value: '${String(responseFormat)}'. Supported values are: 'url' and 'b64_json'.`,
    };
  }
  return undefined;
}

/** Width and height a request renders at ("auto" and absent are 1024x1024). */
export function renderSize(fields: FakeFields): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(String(fields.size ?? ""));
  return match ? { width: Number(match[1]), height: Number(match[2]) } : { width: 1024, height: 1024 };
}

function sizeAllowed(rules: FakeModelRules, size: string): boolean {
  if (rules.sizes) return rules.sizes.includes(size);
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match) return size === "auto";
  const [w, h] = [Number(match[1]), Number(match[2])];
  return w % 16 === 0 && h % 16 === 0 && w * h <= 3840 * 2160 && Math.max(w / h, h / w) <= 3;
}
