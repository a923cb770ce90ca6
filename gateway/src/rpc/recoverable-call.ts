import { randomUUID } from "node:crypto";
import type { DescMessage, DescMethodUnary, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { connectionErrorCode } from "@imagegen/server-kit";

const linkless = new WeakSet<Transport>();

/**
 * Marks `transport` as reaching the front without a link (the front in this process): a call on
 * it cannot be dropped under way, so there is nothing to recover and no call is made recoverable
 * — which spares each creation the idempotency claim (a write) an edge-given request_id costs.
 */
export function withoutLink(transport: Transport): Transport {
  linkless.add(transport);
  return transport;
}

/**
 * Makes a call that creates a generation safe to send twice: such methods answer a Generation
 * and take an AIP-155 `request_id`, which the front uses as the idempotency key when no
 * Idempotency-Key header came. A request without one gets an id of the edge's, so a second
 * attempt is recognised as the same request. Returns whether the call may be repeated: never on a
 * transport `withoutLink` marked.
 */
export function makeRecoverable<I extends DescMessage, O extends DescMessage>(
  transport: Transport,
  method: DescMethodUnary<I, O>,
  request: MessageShape<I>,
): boolean {
  if (linkless.has(transport) || method.output.typeName !== "imagegen.v1.Generation") return false;
  const field = method.input.fields.find((f) => f.name === "request_id");
  if (!field) return false;
  const message = request as unknown as Record<string, unknown>;
  if (!message[field.localName]) message[field.localName] = `edge_${randomUUID()}`;
  return true;
}

/**
 * True when the connection broke under a call the front may have received (reset, closed,
 * HTTP/2 session or stream error) — not when it was refused (nothing reached the front; the
 * failover transport already tried every replica), timed out or found the peer frozen (a second
 * try would wait as long again), or when the client itself went away.
 */
export function droppedUnderCall(error: unknown, clientSignal: AbortSignal | undefined): boolean {
  if (clientSignal?.aborted || !(error instanceof ConnectError)) return false;
  if (error.code === Code.Canceled) return true;
  return /^(ECONNRESET|EPIPE|ERR_HTTP2_)/.test(connectionErrorCode(error) ?? "");
}
