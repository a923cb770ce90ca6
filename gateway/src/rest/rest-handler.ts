import type {
  DescMessage,
  DescMethodServerStreaming,
  DescMethodUnary,
  JsonObject,
  JsonValue,
  Registry,
} from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { apiError, describeError, ErrorReason } from "@imagegen/errors";
import { GenerationSchema, GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { RemoveBackgroundResponseSchema, UpscaleResponseSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { setHttpRoute } from "@imagegen/telemetry";
import { readBody } from "../http/read-body.ts";
import { requestHeaders } from "../http/request-headers.ts";
import { sendErrorEnvelope, sendJson, type NodeRequest, type NodeResponse } from "../http/respond.ts";
import { hangUpSignal } from "../rpc/client-hangup.ts";
import { callFrontStream, callFrontUnary, type FrontCallOptions } from "../rpc/front-proxy.ts";
import { messageToRestJson, restJsonToMessage, setParam } from "./rest-json.ts";
import type { RestRoute, RouteMatch, RouteTable } from "./route-table.ts";

export interface RestHandlerOptions {
  readonly routes: RouteTable;
  readonly transport: Transport;
  readonly registry: Registry;
  readonly maxBodyBytes: number;
}

/**
 * REST transcoding driven by the google.api.http annotations: the route gives the RPC, the
 * body, path and query fill its request, and the response comes back in REST JSON with the
 * seed-004 error envelope. Returns false when no route matches, so other handlers may try.
 */
export function createRestHandler(options: RestHandlerOptions) {
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    const match = options.routes.match(req.method ?? "GET", url.pathname);
    if (!match) return false;
    const responseHeaders = new Headers();
    try {
      if ("methodNotAllowed" in match) {
        responseHeaders.set("allow", match.allow.join(", "));
        throw apiError(ErrorReason.INVALID_REQUEST, `method ${req.method} is not allowed on ${url.pathname}`, {
          metadata: { allow: match.allow.join(", ") },
        });
      }
      setHttpRoute(match.route.template.source);
      const request = await buildRequest(req, url, match, options);
      const call: FrontCallOptions = {
        requestHeaders: requestHeaders(req),
        signal: hangUpSignal(res),
        timeoutMs: undefined,
        responseHeaders,
      };
      const method = match.route.method;
      if (method.methodKind === "server_streaming") {
        await streamAsServerSentEvents(res, method as DescMethodServerStreaming, request, call, options);
        return true;
      }
      if (method.methodKind !== "unary")
        throw apiError(ErrorReason.NOT_IMPLEMENTED, "streaming requests are not offered over REST");
      const response = await callFrontUnary(options.transport, method as DescMethodUnary, request as never, call);
      const body = pickResponseBody(match.route, messageToRestJson(method.output, response, options.registry));
      const status = successStatus(match.route, response);
      if (status === 204) {
        for (const [name, value] of responseHeaders) res.setHeader(name, value);
        res.statusCode = 204;
        res.end();
      } else {
        sendJson(req, res, status, body, responseHeaders);
      }
    } catch (error) {
      if (!res.headersSent) sendErrorEnvelope(req, res, error, responseHeaders);
      else res.end();
    }
    return true;
  };
}

async function buildRequest(req: NodeRequest, url: URL, match: RouteMatch, options: RestHandlerOptions) {
  const { route, pathParams } = match;
  const schema = route.method.input;
  let json: JsonObject = {};
  if (route.body !== "") {
    const parsed = await readJson(req, options.maxBodyBytes);
    if (route.body === "*") {
      if (parsed !== undefined && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
        throw apiError(ErrorReason.INVALID_REQUEST, "the request body must be a JSON object");
      }
      json = (parsed as JsonObject | undefined) ?? {};
    } else if (parsed !== undefined) {
      json = { [route.body]: parsed };
    }
  }
  const violations: string[] = [];
  for (const [fieldPath, value] of pathParams) {
    const problem = setParam(schema, json, fieldPath, value);
    if (problem) violations.push(problem);
  }
  if (route.body !== "*") {
    for (const [name, value] of url.searchParams) {
      const problem = setParam(schema, json, name, value);
      if (problem) violations.push(problem);
    }
  }
  if (violations.length) throw apiError(ErrorReason.INVALID_REQUEST, violations.join("; "));
  try {
    return restJsonToMessage(schema, json, options.registry);
  } catch (error) {
    throw apiError(ErrorReason.INVALID_REQUEST, jsonErrorText(error));
  }
}

async function readJson(req: NodeRequest, limit: number): Promise<JsonValue | undefined> {
  const body = await readBody(req, limit);
  if (body.length === 0) return undefined;
  const type = String(req.headers["content-type"] ?? "application/json");
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw apiError(ErrorReason.INVALID_REQUEST, `content-type must be application/json, not ${type.slice(0, 100)}`);
  }
  try {
    return JSON.parse(body.toString("utf8")) as JsonValue;
  } catch {
    throw apiError(ErrorReason.INVALID_REQUEST, "the request body is not valid JSON");
  }
}

// protobuf-es explains which field could not be parsed: keep that, drop the type names.
function jsonErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text.replace(/^cannot decode (message|field) [\w.]+ from JSON: ?/, "").slice(0, 300) ||
    "the request body does not match the API"
  );
}

function pickResponseBody(route: RestRoute, json: JsonValue): JsonValue {
  if (route.responseBody === "" || typeof json !== "object" || json === null || Array.isArray(json)) return json;
  return json[route.responseBody] ?? null;
}

// 202 for a generation still running (poll it) and for a process job answered by its id alone
// (it outlasted the wait: poll the generation of that id), 201 for a created resource, 204 for
// an empty answer, 200 otherwise: the statuses seed 004 lists.
function successStatus(route: RestRoute, response: unknown): number {
  const output: DescMessage = route.method.output;
  if (output.typeName === GenerationSchema.typeName) {
    const status = (response as Generation).status;
    return status === GenerationStatus.QUEUED || status === GenerationStatus.PROCESSING ? 202 : 200;
  }
  if (PROCESS_JOB_RESPONSES.has(output.typeName) && !(response as { result?: unknown }).result) return 202;
  if (output.fields.length === 0) return 204;
  // An add that found the resource already there created nothing (AddGalleryItem).
  if ((response as { alreadyInGallery?: boolean }).alreadyInGallery) return 200;
  if (route.httpMethod === "POST" && /^(Create|Add)/.test(route.method.name)) return 201;
  return 200;
}

/** Answers of process calls run as provider jobs: `{id, result}`, or `{id}` while still running. */
const PROCESS_JOB_RESPONSES: ReadonlySet<string> = new Set([
  UpscaleResponseSchema.typeName,
  RemoveBackgroundResponseSchema.typeName,
]);

async function streamAsServerSentEvents(
  res: NodeResponse,
  method: DescMethodServerStreaming,
  request: unknown,
  call: FrontCallOptions,
  options: RestHandlerOptions,
): Promise<void> {
  const stream = callFrontStream(options.transport, method, request as never, call);
  let first = await stream.next(); // errors before the first event still get a proper status
  for (const [name, value] of call.responseHeaders) res.setHeader(name, value);
  res.setHeader("content-type", "text/event-stream");
  res.setHeader("cache-control", "no-store");
  res.statusCode = 200;
  try {
    while (!first.done) {
      const json = messageToRestJson(method.output, first.value, options.registry) as JsonObject;
      const event = typeof json.type === "string" ? `event: ${json.type}\n` : "";
      writeChunk(res, `${event}data: ${JSON.stringify(json)}\n\n`);
      first = await stream.next();
    }
  } catch (error) {
    const described = describeError(error);
    writeChunk(
      res,
      `event: error\ndata: ${JSON.stringify({ error: { code: described.row.name, message: described.message } })}\n\n`,
    );
  }
  res.end();
}

// node's http1 and http2 responses have incompatible write() overloads; both take a string.
function writeChunk(res: NodeResponse, text: string): void {
  (res as { write(chunk: string): boolean }).write(text);
}
