import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "./logger.ts";
import {
  isChallenge,
  isCurrent,
  newChallenge,
  SERVICE_CHALLENGE_HEADER,
  SERVICE_PROOF_HEADER,
  SERVICE_TOKEN_HEADER,
  TOKEN_NOT_CURRENT,
  type ServiceIdentity,
  type VerifiedToken,
} from "./service-identity.ts";

/** The message of the error a call fails with when the peer cannot prove it is ours. */
export const UNPROVEN_PEER_MESSAGE = "peer could not prove it belongs to this deployment";

/** True for the error createServiceIdentityInterceptor raises when the peer failed its proof. */
export function isUnprovenPeer(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unavailable && error.rawMessage === UNPROVEN_PEER_MESSAGE;
}

/** How often one client logs that its peer is unproven (a probe loop would otherwise repeat it). */
const WARN_EVERY_MS = 30_000;

/**
 * How long a caller reuses one token. Measured (bench/service-identity-cost.ts): a token made
 * per call cost its HMAC, and a header value new on every call defeats HTTP/2 header compression
 * (HPACK indexes a repeated value); reused, the token is one indexed header and, on the callee, a
 * cache hit. The per-call challenge keeps every proof fresh.
 */
export const TOKEN_REUSE_MS = 1_000;

/**
 * The caller's side of service identity, for one peer: every call carries a token for `audience`
 * (reused for up to TOKEN_REUSE_MS) and a fresh challenge, and an answer is used only when it
 * carries the peer's proof for that challenge.
 * Otherwise the call fails UNAVAILABLE with UNPROVEN_PEER_MESSAGE — a process of another
 * deployment (or none) on the peer's address is never used: no answer of it reaches the caller.
 * An UNAUTHENTICATED without a proof (a process that refused our token: it holds another secret)
 * is reported as unproven too. Other errors pass unchanged, proven or not: they deliver no work,
 * and some come from no peer at all (a refused connection, a deadline, a proxy such as Envoy
 * between the services answering 503), which must not be mistaken for a foreign peer.
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
      options.logger.warn(
        `${audience} at ${options.peerUrl ?? "its address"} could not prove it belongs to this deployment; its answers are not used`,
        {
          peer: audience,
          peer_url: options.peerUrl,
        },
      );
    }
    return new ConnectError(UNPROVEN_PEER_MESSAGE, Code.Unavailable, undefined, undefined, cause);
  };
  let token = "";
  let issuedAt = -Infinity;
  return (next) => async (req) => {
    const now = Date.now();
    if (now - issuedAt >= TOKEN_REUSE_MS || now < issuedAt) {
      token = identity.issue(audience, now);
      issuedAt = now;
    }
    const challenge = newChallenge();
    req.header.set(SERVICE_TOKEN_HEADER, token);
    req.header.set(SERVICE_CHALLENGE_HEADER, challenge);
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (error) {
      if (
        error instanceof ConnectError &&
        error.code === Code.Unauthenticated &&
        !identity.checkProof(audience, challenge, error.metadata.get(SERVICE_PROOF_HEADER))
      ) {
        throw unproven(error);
      }
      throw error;
    }
    if (!identity.checkProof(audience, challenge, res.header.get(SERVICE_PROOF_HEADER))) throw unproven();
    return res;
  };
}

/** The verified service name of an internal caller, or undefined for a call without a token. */
export const serviceCallerKey = createContextKey<string | undefined>(undefined, {
  description: "verified internal caller",
});

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
 * the proof for the call's challenge in the response headers.
 */
export function createServiceIdentityGate(identity: ServiceIdentity, options: ServiceIdentityGateOptions): RequestGate {
  const open = new Set(options.open ?? []);
  const verified = new VerifiedTokens();
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
    const now = Date.now();
    let checked: VerifiedToken | { readonly refused: string } | undefined = verified.get(token);
    if (checked && !isCurrent(checked.issuedAt, now)) checked = { refused: TOKEN_NOT_CURRENT };
    if (!checked) {
      checked = identity.verify(token, now);
      if (!("refused" in checked)) verified.add(token, checked, now);
    }
    if ("refused" in checked) return refuse(checked.refused, context);
    const challenge = context.requestHeader.get(SERVICE_CHALLENGE_HEADER);
    if (!isChallenge(challenge)) return refuse("service challenge missing or malformed", context);
    context.responseHeader.set(SERVICE_PROOF_HEADER, identity.prove(challenge));
    context.values.set(serviceCallerKey, checked.caller);
  };
}

/**
 * Tokens that checked out, so a token reused for a second costs one HMAC, not one per call. Only
 * tokens with a valid MAC get in — a stranger cannot fill it — and they leave once past the window.
 */
class VerifiedTokens {
  private readonly tokens = new Map<string, VerifiedToken>();
  private nextSweep = 0;

  get(token: string): VerifiedToken | undefined {
    return this.tokens.get(token);
  }

  add(token: string, checked: VerifiedToken, now: number): void {
    if (now >= this.nextSweep) {
      for (const [key, value] of this.tokens) if (!isCurrent(value.issuedAt, now)) this.tokens.delete(key);
      this.nextSweep = now + TOKEN_REUSE_MS;
    }
    this.tokens.set(token, checked);
  }
}

/** Runs several request gates in order; the first that throws refuses the call. */
export function combineRequestGates(...gates: readonly RequestGate[]): RequestGate {
  return async (context) => {
    for (const gate of gates) await gate(context);
  };
}
