import { apiError, ErrorReason } from "@imagegen/errors";
import { readBody } from "../../http/read-body.ts";
import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { hangUpSignal } from "../../rpc/client-hangup.ts";
import type { FrontCallOptions } from "../../rpc/front-proxy.ts";
import { requestHeaders } from "../../http/request-headers.ts";

export { requestHeaders } from "../../http/request-headers.ts";

/**
 * Options for calls to the front on behalf of this request: the client's headers go along
 * (auth, request id, idempotency key, trace context — filtered by the proxy), and a client
 * that hangs up cancels the call.
 */
export function frontCallFor(req: NodeRequest, res: NodeResponse): FrontCallOptions {
  return { requestHeaders: requestHeaders(req), signal: hangUpSignal(res), responseHeaders: new Headers() };
}

/** A parsed request body: text fields and uploaded files, from JSON or multipart. */
export interface BodyFields {
  /** JSON values as parsed; multipart text parts as strings. */
  readonly fields: Record<string, unknown>;
  /** Multipart file parts by part name, in order (empty for JSON). */
  readonly files: ReadonlyMap<string, File[]>;
  readonly kind: "json" | "multipart" | "empty";
}

/**
 * Reads a JSON object or a multipart/form-data body within the size limit. Multipart is parsed
 * by the WHATWG Request.formData() after the limit is enforced, so no part can exceed it.
 */
export async function readFields(req: NodeRequest, limit: number): Promise<BodyFields> {
  const body = await readBody(req, limit);
  const type = String(req.headers["content-type"] ?? "");
  if (/^multipart\/form-data/i.test(type)) return parseMultipart(body, type);
  if (body.length === 0) return { fields: {}, files: new Map(), kind: "empty" };
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw apiError(ErrorReason.INVALID_REQUEST, "content-type must be application/json or multipart/form-data");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw apiError(ErrorReason.INVALID_REQUEST, "the request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw apiError(ErrorReason.INVALID_REQUEST, "the request body must be a JSON object");
  }
  return { fields: parsed as Record<string, unknown>, files: new Map(), kind: "json" };
}

async function parseMultipart(body: Buffer, contentType: string): Promise<BodyFields> {
  let form: FormData;
  try {
    form = await new Request("http://compat.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: new Uint8Array(body),
    }).formData();
  } catch {
    throw apiError(ErrorReason.INVALID_REQUEST, "the multipart body could not be parsed");
  }
  const fields: Record<string, unknown> = {};
  const files = new Map<string, File[]>();
  for (const [name, value] of form) {
    if (typeof value === "string") fields[name] = value;
    else files.set(name, [...(files.get(name) ?? []), value]);
  }
  return { fields, files, kind: "multipart" };
}

/** The bytes of an uploaded file part as a data: URL the canonical API accepts. */
export async function fileAsDataUrl(file: File): Promise<string> {
  const bytes = Buffer.from(await file.arrayBuffer());
  return `data:${file.type || "application/octet-stream"};base64,${bytes.toString("base64")}`;
}

/** A field as a string, or undefined when absent or null. Numbers are accepted as written. */
export function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw apiError(ErrorReason.INVALID_REQUEST, `${name} must be a string`, {
    fieldViolations: [{ field: name, description: "must be a string" }],
  });
}

/** A non-negative integer field (JSON number or multipart text), or undefined when absent. */
export function intField(fields: Record<string, unknown>, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === "") return undefined;
  const n =
    typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw apiError(ErrorReason.INVALID_REQUEST, `${name} must be a non-negative integer`, {
      fieldViolations: [{ field: name, description: "must be a non-negative integer" }],
    });
  }
  return n;
}
