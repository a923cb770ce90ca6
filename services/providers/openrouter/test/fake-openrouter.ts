import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import {
  createFakeServer,
  createSyncScript,
  sendJson,
  type ContractFake,
  type FakeBehaviour,
} from "@imagegen/provider-kit/testing";
import sharp from "sharp";

/** How a chat model may be called: the output modalities it must be asked for. */
const CHAT_MODELS: Record<string, readonly string[]> = {
  "google/gemini-2.5-flash-image": ["image", "text"],
  "google/gemini-3-pro-image-preview": ["image", "text"],
  "openai/gpt-5-image": ["image", "text"],
  "black-forest-labs/flux.2-pro": ["image"],
};
/** `/images` models with their largest `n`. */
const IMAGE_MODELS: Record<string, number> = {
  "openai/gpt-image-1": 10,
  "openai/dall-e-3": 1,
  "bytedance-seed/seedream-4.5": 4,
};
const RATIOS: Record<string, [number, number]> = {
  "1:1": [1024, 1024],
  "2:3": [832, 1248],
  "3:2": [1248, 832],
  "3:4": [864, 1184],
  "4:3": [1184, 864],
  "4:5": [896, 1152],
  "5:4": [1152, 896],
  "9:16": [768, 1344],
  "16:9": [1344, 768],
  "21:9": [1536, 672],
};
const SIZE_SCALE: Record<string, number> = { "1K": 1, "2K": 2, "4K": 4 };

/** An error OpenRouter reports inside a 200, for the next call. */
export interface InBandError {
  readonly code: number;
  readonly message: string;
  readonly metadata?: Record<string, unknown>;
}

/**
 * A fake openrouter.ai/api/v1 (openrouter.md §6): chat completions that draw only when asked for
 * the model's exact output modalities and answer data-URL PNGs in `message.images` sized by
 * `image_config`; the `/images` endpoint with `b64_json`, `media_type`, `usage.cost` and `n` up
 * to a per-model max; errors with a numeric `error.code` (429 with Retry-After and
 * X-RateLimit-*); a text-only answer, a content filter and in-band errors inside a 200.
 */
export async function startFakeOpenRouter(options: {
  token: string;
}): Promise<ContractFake & { inBand(error: InBandError): void }> {
  const scripted = createSyncScript();
  const inBand: InBandError[] = [];

  const server = await createFakeServer(async (req, res) => {
    const path = new URL(req.path, "http://fake").pathname;
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return orError(res, 401, "Missing Authentication header");
    const chat = path === "/api/v1/chat/completions";
    if (req.method !== "POST" || (!chat && path !== "/api/v1/images")) return orError(res, 404, "Resource not found");
    const script = scripted.submit(res, scriptedStatus);
    if (script === "answered") return;
    const body = req.json as Record<string, unknown> | undefined;
    if (!body || typeof body.model !== "string") return orError(res, 400, "Invalid request parameters");
    const error = inBand.shift();
    if (error) return sendJson(res, 200, { id: genId(), object: "chat.completion", error, choices: [] });
    return chat ? chatCompletion(res, body, script) : images(res, body, script);
  });

  async function chatCompletion(
    res: ServerResponse,
    body: Record<string, unknown>,
    script: FakeBehaviour | undefined,
  ): Promise<void> {
    const model = String(body.model);
    const wanted = CHAT_MODELS[model];
    if (!wanted) return orError(res, 400, `${model} is not a valid model ID`);
    const modalities = Array.isArray(body.modalities) ? body.modalities.map(String) : [];
    if (modalities.sort().join() !== [...wanted].sort().join()) {
      return orError(
        res,
        404,
        `No endpoints found that support the requested output modalities: ${modalities.join(", ") || "text"}`,
      );
    }
    const config = (body.image_config ?? {}) as { aspect_ratio?: string; image_size?: string };
    const [w, h] = RATIOS[config.aspect_ratio ?? "1:1"] ?? RATIOS["1:1"]!;
    const scale = SIZE_SCALE[config.image_size ?? "1K"] ?? 1;
    const talks = wanted.includes("text");
    const message: Record<string, unknown> = {
      role: "assistant",
      content: talks ? "Here is the image you asked for." : null,
    };
    let finish = "stop";
    if (script?.kind === "empty") message.content = "I can describe it, but here is no picture.";
    else if (script?.kind === "moderated") [finish, message.content] = ["content_filter", ""];
    else
      message.images = [
        {
          type: "image_url",
          image_url: { url: `data:image/png;base64,${(await png(w * scale, h * scale)).toString("base64")}` },
        },
      ];
    sendJson(res, 200, {
      id: genId(),
      object: "chat.completion",
      created: now(),
      model,
      provider: "Google AI Studio",
      system_fingerprint: null,
      choices: [{ index: 0, finish_reason: finish, native_finish_reason: finish.toUpperCase(), message }],
      usage: { prompt_tokens: 12, completion_tokens: 1300, total_tokens: 1312 },
    });
  }

  async function images(
    res: ServerResponse,
    body: Record<string, unknown>,
    script: FakeBehaviour | undefined,
  ): Promise<void> {
    const model = String(body.model);
    const maxN = IMAGE_MODELS[model];
    if (maxN === undefined) return orError(res, 400, `${model} is not a valid model ID`);
    if (typeof body.prompt !== "string" || !body.prompt)
      return orError(res, 400, "prompt: String must contain at least 1 character(s)");
    const n = Number(body.n ?? 1);
    if (!Number.isInteger(n) || n < 1 || n > 10) return orError(res, 400, "n: Number must be between 1 and 10");
    if (maxN === 1 && n > 1) return orError(res, 400, `${model} generates one image per request`);
    if (script?.kind === "moderated")
      return orError(res, 403, "Request blocked", {
        reasons: ["sexual"],
        flagged_input: "…",
        provider_name: "OpenAI",
        model_slug: model,
      });
    const size = /^(\d+)x(\d+)$/.exec(String(body.size ?? "1024x1024"));
    const format = String(body.output_format ?? "png");
    if (!size || !["png", "jpeg", "webp"].includes(format)) return orError(res, 400, "Invalid request parameters");
    const count = script?.kind === "empty" ? 0 : Math.min(n, maxN);
    const data = await Promise.all(
      Array.from({ length: count }, async () => ({
        b64_json: (
          await sharp({
            create: { width: Number(size[1]), height: Number(size[2]), channels: 3, background: "#8844aa" },
          })
            .toFormat(format as "png")
            .toBuffer()
        ).toString("base64"),
        media_type: `image/${format}`,
      })),
    );
    sendJson(res, 200, {
      created: now(),
      data,
      usage: { prompt_tokens: 0, completion_tokens: 4175, total_tokens: 4175, cost: 0.04 * count },
    });
  }

  function scriptedStatus(res: ServerResponse, status: number, retryAfter?: number): void {
    const messages: Record<number, string> = {
      400: `Invalid request parameters (key Bearer ${options.token} is valid)`,
      401: "Missing Authentication header",
      402: "Insufficient credits. Add more using https://openrouter.ai/credits",
      403: "Key is disabled",
      404: "Resource not found",
      422: "Invalid argument",
      429: "Rate limit exceeded",
      500: "Internal Server Error",
      503: "Service temporarily unavailable",
    };
    const headers: Record<string, string> =
      status === 429
        ? { "x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Date.now() + 60_000) }
        : {};
    if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
    orError(
      res,
      status,
      messages[status] ?? "Provider returned error",
      status === 429 ? { error_type: "rate_limit_exceeded" } : undefined,
      headers,
    );
  }

  return {
    ...server,
    // Like OPENROUTER_BASE_URL for the official SDKs, the base URL includes /api/v1.
    baseUrl: `${server.baseUrl}/api/v1`,
    script: scripted.script,
    reset: () => {
      scripted.reset();
      inBand.splice(0);
    },
    submissions: scripted.submissions,
    // OpenRouter has no cancel: a stopped job is a closed connection.
    sawStop: scripted.sawStop,
    inBand: (error) => void inBand.push(error),
  };
}

function orError(
  res: ServerResponse,
  status: number,
  message: string,
  metadata?: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code: status, message, ...(metadata ? { metadata } : {}) } }, headers);
}

function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#ff8800" } })
    .png()
    .toBuffer();
}

function genId(): string {
  return `gen-${now()}-${randomBytes(10).toString("hex")}`;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
