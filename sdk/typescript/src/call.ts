import { OPERATIONS, type OperationId } from "./generated/contract.js";
import { send, type RequestOptions, type TransportConfig } from "./transport.js";
import { newIdempotencyKey } from "./web-crypto.js";
import { fromWire, toWire } from "./wire-case.js";

/** Operations the server deduplicates by Idempotency-Key: a lost connection may be retried. */
const DEDUPLICATED = new Set<OperationId>([
  "ImageService_TextToImage",
  "ImageService_ImageToImage",
  "ImageService_Inpaint",
  "ImageService_CreateVariations",
]);

/** Path parameters and camelCase query parameters of one call. */
export interface CallInput {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: object;
  readonly body?: unknown;
}

/**
 * Calls one REST operation of the contract: fills the path template, maps the camelCase body
 * and query to snake_case, sends a new Idempotency-Key with every POST that creates something,
 * and returns the camelCase answer (undefined for 204).
 */
export async function callOperation<T>(
  config: TransportConfig,
  id: OperationId,
  input: CallInput,
  options?: RequestOptions,
): Promise<T> {
  const response = await openOperation(config, id, input, options);
  const spec = OPERATIONS[id];
  if (response.status === 204) return undefined as T;
  const json: unknown = await response.json();
  return fromWire(json, spec.response ?? undefined) as T;
}

/** Like callOperation, but returns the Response unread (for streams). */
export async function openOperation(
  config: TransportConfig,
  id: OperationId,
  input: CallInput,
  options: RequestOptions = {},
  accept?: string,
): Promise<Response> {
  const spec = OPERATIONS[id];
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = input.params?.[name];
    if (!value) throw new TypeError(`${id}: missing ${name}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  const wireQuery = toWire(input.query ?? {}, undefined) as Record<string, unknown>;
  for (const name of spec.query) {
    const value = wireQuery[name];
    if (value === undefined || value === null || value === "") continue;
    query.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  const creates = spec.method === "POST" && spec.body !== null;
  const body =
    spec.method === "GET" || spec.method === "DELETE" ? undefined : toWire(input.body ?? {}, spec.body ?? undefined);
  return send(
    config,
    {
      method: spec.method,
      path: query.size > 0 ? `${path}?${query}` : path,
      body,
      accept,
      idempotencyKey: creates ? (options.idempotencyKey ?? (await newIdempotencyKey())) : undefined,
      retryOnNetworkError: spec.method === "GET" || spec.method === "DELETE" || DEDUPLICATED.has(id),
    },
    options,
  );
}
