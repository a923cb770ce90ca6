import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { ContextValues, Transport } from "@connectrpc/connect";
import { isUnprovenPeer, wasConnectionRefused } from "@imagegen/server-kit";
import { droppedUnderCall } from "./recoverable-call.ts";

type HeaderInit = Parameters<Transport["unary"]>[3];

/** How long a front that refused or dropped a connection is tried only after the others. */
const REFUSED_PENALTY_MS = 2_000;

/**
 * One Transport over several front replicas (IMAGEGEN_FRONT_URL="http://a:8081,http://b:8081"):
 * calls go round-robin, and a call no front of ours received — the connection was refused, or
 * the peer could not prove it belongs to this deployment — is sent to the next one. A call that did reach a front is never
 * repeated here: a generation may already be running there, and its outcome is on the generation.
 * A front whose connection broke under a call is tried last for a while too, so that a caller
 * which may repeat its call (front-proxy.ts, a creation with its request_id) reaches a live front
 * rather than the dying one again — on a loaded machine a killed process can still accept
 * connections, and reset them, for a while after the signal.
 */
export function createFailoverTransport(transports: readonly Transport[], now: () => number = Date.now): Transport {
  if (transports.length === 1) return transports[0]!;
  const refusedUntil = transports.map(() => 0);
  let next = 0;

  // Healthy fronts first, in round-robin order; fronts that refused recently last.
  const order = (): number[] => {
    const start = next++ % transports.length;
    const all = transports.map((_, i) => (start + i) % transports.length);
    const at = now();
    return [...all.filter((i) => refusedUntil[i]! <= at), ...all.filter((i) => refusedUntil[i]! > at)];
  };

  async function attempt<T>(signal: AbortSignal | undefined, call: (transport: Transport) => Promise<T>): Promise<T> {
    let last: unknown;
    for (const index of order()) {
      try {
        return await call(transports[index]!);
      } catch (error) {
        // Refused: nothing listens there. Unproven: something else does (a process that took a dead
        // front's port); either way no front of ours took the call, so the next one may.
        const notReceived = wasConnectionRefused(error) || isUnprovenPeer(error);
        if (notReceived || droppedUnderCall(error, signal)) refusedUntil[index] = now() + REFUSED_PENALTY_MS;
        if (!notReceived) throw error;
        last = error;
      }
    }
    throw last;
  }

  return {
    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ) {
      return attempt(signal, (t) => t.unary(method, signal, timeoutMs, header, input, contextValues));
    },
    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ) {
      // The gateway only proxies server streaming (one request message), so the input is read
      // once and replayed to whichever front takes the call.
      const messages: Array<MessageInitShape<I>> = [];
      for await (const message of input) messages.push(message);
      return attempt(signal, (t) => t.stream(method, signal, timeoutMs, header, replay(messages), contextValues));
    },
  };
}

async function* replay<T>(messages: readonly T[]): AsyncIterable<T> {
  yield* messages;
}
