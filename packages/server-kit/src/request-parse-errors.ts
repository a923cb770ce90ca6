import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";

/**
 * The INTERNAL errors connect-es (2.x) raises while reading a *request* body that the client got
 * wrong. Each is the client's fault, so it should be INVALID_ARGUMENT (HTTP 400), as the Connect
 * protocol answers malformed JSON and as connect-go answers a malformed binary message:
 * - "parse binary: …": random bytes or a truncated message (connect-es parses requests with the
 *   serialization its clients use for responses, where INTERNAL is right);
 * - "decompression failed": a truncated gzip body (connect-node already says INVALID_ARGUMENT for
 *   other corrupt gzip, Z_DATA_ERROR, but not for a premature end);
 * - a compressed frame without an encoding (its own doc comment says InvalidArgument).
 */
const REQUEST_FAULTS = [
  /^parse binary: /,
  /^decompression failed$/,
  /^received compressed envelope, but do not know how to decompress$/,
];

/**
 * A connect-node `requestGate` that re-codes the errors above from INTERNAL to INVALID_ARGUMENT
 * on every protocol (Connect, gRPC, gRPC-Web). Everything else keeps its code.
 *
 * Why a gate: the body is read and parsed before interceptors run (for unary methods) and
 * connect offers no hook around it. What it does do, on every protocol, is abort the call's
 * context with the error just before rendering it; the gate runs before the body is read, so it
 * can listen for that abort and re-code the error the protocol is about to render.
 *
 * A handler that itself throws one of these messages would be re-coded too. The gateway's proxy
 * relays the front's errors as they come, and would only raise them for an answer of the front
 * it cannot read — which the same generated code on both sides does not produce.
 */
export function clientFaultForUnparseableRequests(context: HandlerContext): void {
  context.signal.addEventListener(
    "abort",
    () => {
      const reason: unknown = context.signal.reason;
      if (
        reason instanceof ConnectError &&
        reason.code === Code.Internal &&
        REQUEST_FAULTS.some((p) => p.test(reason.rawMessage))
      ) {
        // ConnectError's code is readonly in its type only; this is the error the protocol renders next.
        (reason as { code: Code }).code = Code.InvalidArgument;
      }
    },
    { once: true },
  );
}
