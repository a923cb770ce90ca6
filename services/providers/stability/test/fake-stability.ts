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
import { ENDPOINTS, violations, type FakeEndpoint, type FakeForm } from "./fake-stability-rules.ts";

/** Options of the fake: the key it accepts and how many 202 polls an async job takes. */
export interface FakeStabilityOptions {
  readonly token: string;
  readonly pollsBeforeDone?: number;
}

const MAX_BODY = 10 * 1024 * 1024;

interface AsyncJob {
  readonly owner: string;
  polls: number;
  readonly image: Buffer;
  readonly format: string;
  readonly seed: number;
}

/**
 * A fake api.stability.ai speaking v2beta Stable Image (stability.md §8): multipart only, bearer
 * auth, per-endpoint validation answered with the `{id,name,errors}` envelope, 413 above
 * 10 MiB, `accept: image/*` → raw bytes with `finish-reason`/`seed` headers and
 * `accept: application/json` → `{image,seed,finish_reason}`, real PNG/JPEG/WebP, async creative
 * upscale polled at /v2beta/results/{id} (202 then 200, 404 for another key), scriptable failures.
 */
export async function startFakeStability(options: FakeStabilityOptions): Promise<ContractFake & { forms: FakeForm[] }> {
  const scripted = createSyncScript();
  const jobs = new Map<string, AsyncJob>();
  const forms: FakeForm[] = [];

  const server = await createFakeServer(async (req, res) => {
    res.setHeader("x-request-id", randomBytes(16).toString("hex"));
    const path = new URL(req.path, "http://fake").pathname;
    const key = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    if (key !== options.token)
      return envelope(res, 401, "unauthorized", ["authorization: invalid or missing header value"]);
    const result = /^\/v2beta\/results\/([^/]+)$/.exec(path);
    if (req.method === "GET" && result) return poll(req, res, result[1]!, key);
    const endpoint = ENDPOINTS[path];
    if (req.method !== "POST" || !endpoint)
      return envelope(res, 404, "not_found", [`${req.method} ${path}: no such route`]);
    const script = scripted.submit(res, scriptedStatus);
    if (script === "answered") return;
    if (req.body.length > MAX_BODY)
      return envelope(res, 413, "payload_too_large", ["body: payloads cannot be larger than 10MiB in size"]);
    const form = await decode(req);
    if (typeof form === "string") return envelope(res, 400, "bad_request", [form]);
    forms.push(form);
    const errors = violations(path, endpoint, form);
    if (errors.length) return envelope(res, 400, "bad_request", errors);
    if (script?.kind === "empty") {
      res.writeHead(200, { "content-type": "image/png", "content-length": 0, "finish-reason": "SUCCESS", seed: "1" });
      return void res.end();
    }
    const format = form.fields.output_format ?? "png";
    const seed = Number(form.fields.seed ?? 0) || 1 + Math.floor(Math.random() * 4294967293);
    const image = await render(endpoint, form, format, script?.kind === "moderated");
    if (endpoint.async) {
      const id = randomBytes(32).toString("hex");
      jobs.set(id, { owner: key, polls: 0, image, format, seed });
      return sendJson(res, 200, { id });
    }
    sendImage(req, res, image, format, seed, script?.kind === "moderated" ? "CONTENT_FILTERED" : "SUCCESS");
  });

  function poll(req: RecordedRequest, res: ServerResponse, id: string, key: string): void {
    const job = jobs.get(id);
    // Another key's job is indistinguishable from a missing one.
    if (!job || job.owner !== key)
      return envelope(res, 404, "generation_not_found", ["id: the generation either does not exist or has expired."]);
    if (job.polls++ < (options.pollsBeforeDone ?? 2)) return sendJson(res, 202, { id, status: "in-progress" });
    sendImage(req, res, job.image, job.format, job.seed, "SUCCESS");
  }

  function scriptedStatus(res: ServerResponse, status: number, retryAfter?: number): void {
    const rows: Record<number, [string, string]> = {
      400: [
        "bad_request",
        `authorization: header 'Bearer ${options.token}' was accepted but aspect_ratio: must be one of 21:9, 16:9`,
      ],
      401: ["unauthorized", "authorization: invalid or missing header value"],
      402: ["payment_required", "You lack sufficient credits to make this request."],
      403: [
        "content_moderation",
        "Your request was flagged by our content moderation system, as a result your request was denied and you were not charged.",
      ],
      404: ["not_found", "The requested resource was not found."],
      422: ["invalid_language", "English is the only supported language for this service."],
      429: [
        "rate_limit_exceeded",
        "You have exceeded the rate limit of 150 requests within a 10 second period, and have been timed out for 60 seconds.",
      ],
      500: ["internal_error", "An unexpected server error has occurred, please try again later."],
      503: ["service_unavailable", "The service is temporarily unavailable."],
    };
    const [name, message] = rows[status] ?? ["internal_error", `status ${status}`];
    envelope(
      res,
      status,
      name,
      [message],
      retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
      status === 429 ? name : undefined,
    );
  }

  return {
    ...server,
    forms,
    script: scripted.script,
    reset: scripted.reset,
    submissions: scripted.submissions,
    // Stability has no cancel: a stopped sync job is a closed connection.
    sawStop: scripted.sawStop,
  };
}

/** Only multipart is accepted, even for requests without files. */
async function decode(req: RecordedRequest): Promise<FakeForm | string> {
  const type = String(req.headers["content-type"] ?? "");
  if (!type.startsWith("multipart/form-data")) return "content-type: must be multipart/form-data";
  const form = await new Response(new Uint8Array(req.body), { headers: { "content-type": type } }).formData();
  const fields: FakeForm["fields"] = {};
  const files: Record<string, FakeForm["files"][string]> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") {
      fields[name] = value;
      continue;
    }
    const data = Buffer.from(await value.arrayBuffer());
    const meta = await sharp(data)
      .metadata()
      .catch(() => undefined);
    if (!meta?.width || !meta.height) return `${name}: could not be decoded as an image`;
    files[name] = { data, width: meta.width, height: meta.height };
  }
  return { fields, files };
}

async function render(endpoint: FakeEndpoint, form: FakeForm, format: string, filtered: boolean): Promise<Buffer> {
  const { width, height } = endpoint.size(form);
  const alpha = endpoint.formats.length === 2; // remove-background keeps a transparent background
  const image = sharp({
    create: { width, height, channels: alpha ? 4 : 3, background: { r: 60, g: 140, b: 90, alpha: alpha ? 0.5 : 1 } },
  });
  return (filtered ? image.blur(8) : image).toFormat(format as "png" | "jpeg" | "webp").toBuffer();
}

function sendImage(
  req: RecordedRequest,
  res: ServerResponse,
  image: Buffer,
  format: string,
  seed: number,
  finishReason: string,
): void {
  if (String(req.headers.accept ?? "").includes("application/json")) {
    return sendJson(
      res,
      200,
      { image: image.toString("base64"), seed, finish_reason: finishReason },
      {},
      `application/json; type=image/${format}`,
    );
  }
  res.writeHead(200, {
    "content-type": `image/${format}`,
    "content-length": image.length,
    "finish-reason": finishReason,
    seed: String(seed),
  });
  res.end(image);
}

function envelope(
  res: ServerResponse,
  status: number,
  name: string,
  errors: string[],
  headers: Record<string, string> = {},
  id?: string,
): void {
  sendJson(res, status, { id: id ?? randomBytes(16).toString("hex"), name, errors }, headers);
}
