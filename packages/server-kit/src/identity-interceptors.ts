import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "./logger.ts";
import { SERVICE_PROOF_HEADER, SERVICE_TOKEN_HEADER, type ServiceIdentity } from "./service-identity.ts";

/** The message of the error a call fails with when the peer cannot prove it is ours. */
export const UNPROVEN_PEER_MESSAGE = "peer could not prove it belongs to this deployment";

/** True for the error createServiceIdentityInterceptor raises when the peer failed its proof. */
export function isUnprovenPeer(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unavailable && error.rawMessage === UNPROVEN_PEER_MESSAGE;
}

/** How often one client logs that its peer is unproven (a probe loop would otherwise repeat it). */
const WARN_EVERY_MS = 30_000;

/**
 * The caller's side of service identity, for one peer: every call carries a fresh token for
 * `audience`, and an answer is used only when it carries the peer's proof for that token's nonce.
 * Otherwise the call fails UNAVAILABLE with UNPROVEN_PEER_MESSAGE — a process of another
 * deployment (or none) on the peer's address is never used, and its answer never reaches the
 * caller. A peer's errors pass as they are when proven; an unproven UNAUTHENTICATED (a process
 * that refused our token: it holds another secret) is reported as unproven too.
 */
export function createServiceIdentityInterceptor(
  identity: ServiceIdentity,
  audience: string,
  options: { readonly logger?: Logger; readonly peerUrl?: string } = {},
): Interceptor {
  let lastWarnedAt = -Infinity;
  const unproven = (cause?: unknown): ConnectError => {
    if (options.logger && Date.now() - lastWarnedAt >= WARN_EVERY_MS) {
      lastWarnedAt = Date.now();
      options.logger.warn(`${audience} at ${options.peerUrl ?? "its address"} could not prove it belongs to this deployment; its answers are not used`, {
        peer: audience,
        peer_url: options.peerUrl,
      });
    }
    return new ConnectError(UNPROVEN_PEER_MESSAGE, Code.Unavailable, undefined, undefined, cause);
  };
  return (next) => async (req) => {
    const { token, nonce } = identity.issue(audience);
    req.header.set(SERVICE_TOKEN_HEADER, token);
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.Unauthenticated && !identity.checkProof(audience, nonce, error.metadata.get(SERVICE_PROOF_HEADER))) {
        throw unproven(error);
      }
      throw error;
    }
    if (!identity.checkProof(audience, nonce, res.header.get(SERVICE_PROOF_HEADER))) throw unproven();
    return res;
  };
}

/** The verified service name of an internal caller, or undefined for a call without a token. */
export const serviceCallerKey = createContextKey<string | undefined>(undefined, { description: "verified internal caller" });

/** A connect `requestGate`: runs once a call's headers are in, before its body is read. */
export type RequestGate = (context: HandlerContext) => void | Promise<void>;

export interface ServiceIdentityGateOptions {
  /**
   * True for a process only our own services may call (a provider: it holds a vendor token).
   * False for one that also serves the public behind its own API-key auth (the front, which
   * Envoy reaches directly for native gRPC): a call without a token is then a public call,
   * while a token that does not check out is still refused.
   */
  readonly required: boolean;
  /**
   * Services that answer without a token even when one is required: grpc.health.v1, which
   * orchestrators (k8s grpc probes, Envoy health checks) call and which tells only
   * SERVING/NOT_SERVING. Our own probes send a token anyway and check the proof.
   */
  readonly open?: readonly string[];
  readonly logger?: Logger;
}

/**
 * The callee's side of service identity, as a connect-node `requestGate` (so a refused call's
 * body is never read, and every protocol renders the refusal in its own shape): checks the
 * caller's token, refuses a bad or (when required) missing one with UNAUTHENTICATED, and puts
 * the proof for the token's nonce in the response headers.
 */
export function createServiceIdentityGate(identity: ServiceIdentity, options: ServiceIdentityGateOptions): RequestGate {
  const open = new Set(options.open ?? []);
  let lastWarnedAt = -Infinity;
  let refusedSinceWarn = 0;
  const refuse = (reason: string, context: HandlerContext): never => {
    refusedSinceWarn++;
    if (options.logger && Date.now() - lastWarnedAt >= WARN_EVERY_MS) {
      lastWarnedAt = Date.now();
      options.logger.warn("internal call refused: caller did not prove it belongs to this deployment", {
        reason,
        procedure: `${context.service.typeName}/${context.method.name}`,
        refused_since_last_warning: refusedSinceWarn,
      });
      refusedSinceWarn = 0;
    }
    throw new ConnectError(`${reason}: this service answers only its own deployment's services`, Code.Unauthenticated);
  };
  return (context) => {
    const token = context.requestHeader.get(SERVICE_TOKEN_HEADER);
    if (token === null) {
      if (options.required && !open.has(context.service.typeName)) refuse("service token missing", context);
      return;
    }
    const verified = identity.verify(token);
    if ("refused" in verified) return refuse(verified.refused, context);
    context.responseHeader.set(SERVICE_PROOF_HEADER, identity.prove(verified.nonce));
    context.values.set(serviceCallerKey, verified.caller);
  };
}

/** Runs several request gates in order; the first that throws refuses the call. */
export function combineRequestGates(...gates: readonly RequestGate[]): RequestGate {
  return async (context) => {
    for (const gate of gates) await gate(context);
  };
}
