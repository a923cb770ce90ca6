import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import {
  createFakeServer,
  createSyncScript,
  sendJson,
  type ContractFake,
  type RecordedRequest,
} from "@imagegen/provider-kit/testing";
import sharp from "sharp";
import { checkFields, FAKE_MODELS, renderSize, type FakeFields, type FakeModelRules } from "./fake-openai-rules.ts";

/** Options of the fake: the key it accepts, and whether it plays a compatible server that ignores `response_format`. */
export interface FakeOpenAiOptions {
  readonly token: string;
  /** Always answer DALL·E with hosted URLs, as some OpenAI-compatible servers do. */
  readonly alwaysUrls?: boolean;
}

/** What the fake decoded of one images request, for assertions. */
export interface SeenImagesRequest {
  readonly path: string;
  readonly fields: FakeFields;
  /** File parts by field name ("image", "image[]", "mask"), in order. */
  readonly files: { readonly name: string; readonly type: string; readonly data: Buffer }[];
}

/**
 * A fake api.openai.com/v1 speaking the real Images protocol (openai.md §7): generations (JSON),
 * edits (multipart with `image` or repeated `image[]` and `mask`, or JSON), variations
 * (multipart, dall-e-2 only); per-model validation answered with OpenAI's error object; real
 * PNG/JPEG/WebP in `b64_json` for GPT image models and hosted URLs (served by the fake) for
 * DALL·E unless `b64_json` is asked for; `x-request-id` on every answer; scriptable failures.
 */
export async function startFakeOpenAi(
  options: FakeOpenAiOptions,
): Promise<ContractFake & { seen: SeenImagesRequest[] }> {
  const scripted = createSyncScript();
  const seen: SeenImagesRequest[] = [];
  const hosted = new Map<string, { data: Buffer; type: string }>();

  const server = await createFakeServer(async (req, res) => {
    res.setHeader("x-request-id", `req_${randomBytes(16).toString("hex")}`);
    const path = new URL(req.path, "http://fake").pathname;
    if (req.method === "GET" && path.startsWith("/files/")) {
      const file = hosted.get(path);
      if (!file) return openAiError(res, 404, "invalid_request_error", "File not found or expired.", null, null);
      res.writeHead(200, { "content-type": file.type, "content-length": file.data.length });
      return void res.end(file.data);
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return openAiError(
        res,
        401,
        "invalid_request_error",
        "Incorrect API key provided: sk-ab***cd. You can find your API key at https://platform.openai.com/account/api-keys.",
        null,
        "invalid_api_key",
      );
    }
    const endpoint = ["/v1/images/generations", "/v1/images/edits", "/v1/images/variations"].find((p) => p === path);
    if (req.method !== "POST" || !endpoint)
      return openAiError(res, 404, "invalid_request_error", `Invalid URL (${req.method} ${path})`, null, null);
    const script = scripted.submit(res, scriptedStatus);
    if (script === "answered") return;
    const decoded = await decode(req, endpoint);
    if ("error" in decoded) return openAiError(res, 400, "invalid_request_error", decoded.error, null, null);
    seen.push(decoded);
    const rules =
      FAKE_MODELS[String(decoded.fields.model ?? (endpoint.endsWith("edits") ? "gpt-image-1.5" : "dall-e-2"))];
    if (!rules) {
      return openAiError(
        res,
        404,
        "invalid_request_error",
        `The model \`${String(decoded.fields.model)}\` does not exist or you do not have access to it.`,
        null,
        "model_not_found",
      );
    }
    if (script?.kind === "moderated") {
      const code = rules.family === "gpt-image" ? "moderation_blocked" : "content_policy_violation";
      return openAiError(
        res,
        400,
        "invalid_request_error",
        "Your request was rejected as a result of our safety system.",
        null,
        code,
      );
    }
    const violation =
      checkFields(rules, decoded.fields, endpoint !== "/v1/images/variations") ?? (await checkFiles(rules, decoded));
    if (violation) return openAiError(res, 400, "invalid_request_error", violation.message, violation.param, null);
    if (script?.kind === "empty") return sendJson(res, 200, { created: now(), data: [] });
    return sendJson(res, 200, await render(rules, decoded, `http://${req.headers.host}`));
  });

  async function render(rules: FakeModelRules, request: SeenImagesRequest, base: string): Promise<object> {
    const { width, height } = renderSize(request.fields);
    const format = rules.family === "gpt-image" ? String(request.fields.output_format ?? "png") : "png";
    const n = Number(request.fields.n ?? 1);
    const images = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        sharp({ create: { width, height, channels: 3, background: { r: 20 * i, g: 120, b: 200 } } })
          .toFormat(format as "png" | "jpeg" | "webp")
          .toBuffer(),
      ),
    );
    if (rules.family === "gpt-image") {
      return {
        created: now(),
        data: images.map((b) => ({ b64_json: b.toString("base64") })),
        background: "opaque",
        output_format: format,
        size: `${width}x${height}`,
        quality: "medium",
        usage: {
          total_tokens: 1100,
          input_tokens: 50,
          output_tokens: 1050,
          input_tokens_details: { text_tokens: 50, image_tokens: 0 },
        },
      };
    }
    const asUrl = options.alwaysUrls || request.fields.response_format !== "b64_json";
    const data = images.map((b) => {
      const item: Record<string, string> = {};
      if (asUrl) {
        const file = `/files/img-${randomBytes(8).toString("hex")}.png`;
        hosted.set(file, { data: b, type: "image/png" });
        item.url = `${base}${file}?st=2026-01-01&se=2026-01-01&sig=fake`;
      } else item.b64_json = b.toString("base64");
      if (rules.family === "dall-e-3")
        item.revised_prompt = `A detailed rendering of: ${String(request.fields.prompt)}`;
      return item;
    });
    return { created: now(), data };
  }

  function scriptedStatus(res: ServerResponse, status: number, retryAfter?: number): void {
    const headers: Record<string, string> = retryAfter === undefined ? {} : { "retry-after": String(retryAfter) };
    const rows: Record<number, [string, string, string | null]> = {
      400: ["invalid_request_error", `Invalid 'size' (request authorized with 'Bearer ${options.token}').`, null],
      401: [
        "invalid_request_error",
        "Incorrect API key provided: sk-ab***cd. You can find your API key at https://platform.openai.com/account/api-keys.",
        "invalid_api_key",
      ],
      402: ["billing_error", "Payment required: your organization has no active billing.", "billing_not_active"],
      403: [
        "invalid_request_error",
        "Country, region, or territory not supported",
        "unsupported_country_region_territory",
      ],
      404: [
        "invalid_request_error",
        "The model `gpt-image-1` does not exist or you do not have access to it.",
        "model_not_found",
      ],
      422: ["invalid_request_error", "Unprocessable request.", null],
      429: [
        "requests",
        "Rate limit exceeded for images per minute in organization org-XXXX. Limit: 5/1min. Current: 6/1min.",
        "rate_limit_exceeded",
      ],
      500: ["server_error", "The server had an error while processing your request. Sorry about that!", null],
      503: ["server_error", "The engine is currently overloaded, please try again later.", null],
    };
    const [type, message, code] = rows[status] ?? ["server_error", `status ${status}`, null];
    openAiError(res, status, type, message, status === 400 ? "size" : null, code, headers);
  }

  return {
    ...server,
    // Like OPENAI_BASE_URL for the official SDKs, the base URL includes /v1.
    baseUrl: `${server.baseUrl}/v1`,
    seen,
    script: scripted.script,
    reset: scripted.reset,
    submissions: scripted.submissions,
    // OpenAI has no cancel: a stopped job is a closed connection.
    sawStop: scripted.sawStop,
  };
}

/** Decodes JSON or multipart into fields and files; a body OpenAI could not parse is an error. */
async function decode(req: RecordedRequest, path: string): Promise<SeenImagesRequest | { error: string }> {
  const type = String(req.headers["content-type"] ?? "");
  if (type.startsWith("application/json")) {
    if (path === "/v1/images/variations")
      return { error: "Invalid Content-Type header (application/json), expected multipart/form-data." };
    if (typeof req.json !== "object" || req.json === null)
      return { error: "We could not parse the JSON body of your request." };
    return { path, fields: req.json as FakeFields, files: [] };
  }
  if (!type.startsWith("multipart/form-data") || path === "/v1/images/generations") {
    return { error: `Invalid Content-Type header (${type || "none"}).` };
  }
  const form = await new Response(new Uint8Array(req.body), { headers: { "content-type": type } }).formData();
  const fields: FakeFields = {};
  const files: SeenImagesRequest["files"][number][] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") fields[name] = value;
    else files.push({ name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
  }
  return { path, fields, files };
}

/** The image/mask rules of edits and variations (openai.md §2.2, §2.3, §6). */
async function checkFiles(
  rules: FakeModelRules,
  request: SeenImagesRequest,
): Promise<{ param: string; message: string } | undefined> {
  if (request.path === "/v1/images/generations") return undefined;
  const images = request.files.filter((f) => f.name === "image" || f.name === "image[]");
  if (images.length === 0) return { param: "image", message: "Missing required parameter: 'image'." };
  if (request.path === "/v1/images/variations" && rules.family !== "dall-e-2")
    return { param: "model", message: "Variations are only supported for dall-e-2." };
  if (rules.family === "dall-e-3") return { param: "model", message: "Image edits are not supported for dall-e-3." };
  if (images.length > (rules.family === "dall-e-2" ? 1 : 16)) return { param: "image", message: "Too many images." };
  const first = await sharp(images[0]!.data)
    .metadata()
    .catch(() => undefined);
  if (!first)
    return { param: "image", message: "Invalid image file or mode for image 1, please check your image file." };
  if (rules.family === "dall-e-2" && (first.format !== "png" || first.width !== first.height)) {
    return { param: "image", message: "Invalid input image - format must be in ['RGBA', 'LA', 'L'] and square." };
  }
  const mask = request.files.find((f) => f.name === "mask");
  if (!mask) return undefined;
  const meta = await sharp(mask.data)
    .metadata()
    .catch(() => undefined);
  if (meta?.format !== "png" || !meta.hasAlpha)
    return { param: "mask", message: "Invalid mask image - must be a PNG with an alpha channel." };
  if (meta.width !== first.width || meta.height !== first.height)
    return { param: "mask", message: "Invalid mask image - mask size does not match image size." };
  return undefined;
}

function openAiError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  param: string | null,
  code: string | null,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
