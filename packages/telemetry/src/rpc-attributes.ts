import { ConnectError, Code } from "@connectrpc/connect";
import type { Attributes, Context } from "@opentelemetry/api";
import { context } from "@opentelemetry/api";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { describeError } from "@imagegen/errors";

/** The request fields every Connect interceptor sees. */
export interface RpcCall {
  readonly service: { readonly typeName: string };
  readonly method: { readonly name: string };
  readonly header: Headers;
}

/** The `rpc.system` of a request's content type: what is on the wire, the same at both ends. */
export function rpcSystemOf(contentType: string | null | undefined): "grpc" | "connect_rpc" {
  // gRPC-Web is gRPC's status model and trailers over HTTP/1.1; Connect is everything else
  // connect-es serves (application/json, application/proto, application/connect+*).
  return (contentType ?? "").toLowerCase().startsWith("application/grpc") ? "grpc" : "connect_rpc";
}

/** OTel RPC attributes of a call (`rpc.system` from the wire protocol). */
export function rpcAttributes(call: RpcCall): Attributes {
  return {
    "rpc.system": rpcSystemOf(call.header.get("content-type")),
    "rpc.service": call.service.typeName,
    "rpc.method": call.method.name,
  };
}

/**
 * Status attributes of a finished call, in the vocabulary of its system: gRPC always records
 * `rpc.grpc.status_code` (0 on success); Connect records `rpc.connect_rpc.error_code` (its
 * string code) on failure only. On failure our error reason is `error.type`.
 */
export function statusAttributes(error: unknown, system: string): Attributes {
  const code = error === undefined ? undefined : ConnectError.from(error).code;
  const reason = error === undefined ? undefined : { "error.type": describeError(ConnectError.from(error)).row.name };
  if (system === "grpc") return { "rpc.grpc.status_code": code ?? 0, ...reason };
  return code === undefined ? {} : { "rpc.connect_rpc.error_code": codeToString(code), ...reason };
}

// The codes that are the server's fault: the only ones a SERVER span marks as ERROR (OTel RPC
// conventions for gRPC and Connect alike); a CLIENT span marks every failure.
const SERVER_FAULTS: ReadonlySet<Code> = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

/** Whether a server span of a call that ended with `code` is an ERROR span. */
export function isServerFault(code: Code): boolean {
  return SERVER_FAULTS.has(code);
}

/** Our error reason of `error` (e.g. "UPSTREAM_RATE_LIMITED"), for metrics and spans. */
export function reasonOf(error: unknown): string {
  return describeError(ConnectError.from(error)).row.name;
}

/** W3C carrier access over fetch Headers. */
export const headerGetter = {
  keys: (carrier: Headers): string[] => [...carrier.keys()],
  get: (carrier: Headers, key: string): string | undefined => carrier.get(key) ?? undefined,
};
export const headerSetter = { set: (carrier: Headers, key: string, value: string): void => carrier.set(key, value) };

/**
 * Re-yields `stream`, pulling every item inside `ctx` (so the handler's work — an async
 * generator's body — runs under the RPC span) and calling `finish` exactly once when the
 * stream ends, fails or is abandoned.
 */
export async function* streamInContext<T>(
  stream: AsyncIterable<T>,
  ctx: Context,
  finish: (error?: unknown) => void,
): AsyncGenerator<T> {
  const iterator = stream[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const next = await context.with(ctx, () => iterator.next());
      if (next.done) break;
      yield next.value;
    }
    done = true;
    finish();
  } catch (error) {
    done = true;
    finish(error);
    throw error;
  } finally {
    if (!done) {
      finish(new ConnectError("stream abandoned", Code.Canceled));
      await iterator.return?.();
    }
  }
}

/** The request fields needed to read a call's (first) request message. */
interface MessageCarrier {
  readonly stream: boolean;
  readonly method: { readonly methodKind: string };
  readonly message: unknown;
}

/**
 * The request message of a unary or server-streaming call (which sends exactly one), and a
 * request whose message stream still yields it. Client- and bidi-streaming calls are left alone:
 * waiting for their first message would stall the call.
 */
export async function firstMessage<R extends MessageCarrier>(req: R): Promise<{ message: unknown; req: R }> {
  if (!req.stream) return { message: req.message, req };
  if (req.method.methodKind !== "server_streaming") return { message: undefined, req };
  const iterator = (req.message as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  async function* replay(): AsyncGenerator<unknown> {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { message: first.done ? undefined : first.value, req: { ...req, message: replay() } };
}
