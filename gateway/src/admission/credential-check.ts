import { createHash } from "node:crypto";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { CheckCredentialRequestSchema, EdgeService } from "@imagegen/proto/imagegen/edge/v1/edge_service_pb";
import { callFrontUnary, frontAway } from "../rpc/front-proxy.ts";

/** Answers are kept this long unless configured (IMAGEGEN_EDGE_CREDENTIAL_TTL_MS). */
export const DEFAULT_CREDENTIAL_TTL_MS = 10_000;
/** Most credentials remembered at once; a flood of random keys evicts the oldest. */
const MAX_REMEMBERED = 10_000;
/** How long the edge waits for the front's answer before it treats the front as away. */
const CHECK_TIMEOUT_MS = 5_000;
const NEVER_ABORTED = new AbortController().signal;

/**
 * Throws the front's UNAUTHENTICATED for a request whose credential is missing, unknown or
 * revoked, or UNAVAILABLE when the front cannot be asked; resolves when the credential is valid.
 */
export type CredentialCheck = (requestHeaders: Headers) => Promise<void>;

interface Remembered {
  readonly until: number;
  /** The front's refusal, or undefined for a valid credential. */
  readonly refusal?: ConnectError;
}

/**
 * The edge's question to the front before it reads a body: is this credential valid? The edge
 * knows nothing of keys (the front decides, with the same resolver as every RPC); it remembers
 * each answer for `ttlMs` by the SHA-256 of the credential headers, and asks once for many
 * concurrent requests with the same credential. The front still authenticates the real call, so a
 * key revoked within the TTL costs at most one body read before its 401, never a generation.
 */
export function createCredentialCheck(
  front: Transport,
  ttlMs = DEFAULT_CREDENTIAL_TTL_MS,
  now: () => number = Date.now,
  checkTimeoutMs = CHECK_TIMEOUT_MS,
): CredentialCheck {
  const remembered = new Map<string, Remembered>();
  const asking = new Map<string, Promise<Remembered>>();

  const ask = async (digest: string, requestHeaders: Headers): Promise<Remembered> => {
    try {
      await callFrontUnary(front, EdgeService.method.checkCredential, create(CheckCredentialRequestSchema), {
        requestHeaders,
        // One check serves every request with this credential, so no client's hang-up may cancel it; its
        // bound is the call's own deadline (DEADLINE_EXCEEDED → the front is away), not an abort signal,
        // which the edge would report as the client's CANCELED (499).
        signal: NEVER_ABORTED,
        timeoutMs: checkTimeoutMs,
        responseHeaders: new Headers(),
      });
      return remember(digest, { until: now() + ttlMs });
    } catch (error) {
      const refusal = ConnectError.from(error);
      // Only the front's verdict on the credential is remembered; an outage is not, and a front
      // that did not answer in time is away (503 + Retry-After), not the client's timeout.
      if (refusal.code === Code.Unauthenticated) return remember(digest, { until: now() + ttlMs, refusal });
      throw refusal.code === Code.DeadlineExceeded ? frontAway(refusal) : refusal;
    }
  };

  const remember = (digest: string, answer: Remembered): Remembered => {
    remembered.delete(digest);
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
    remembered.set(digest, answer);
    return answer;
  };

  return async (requestHeaders) => {
    const digest = credentialDigest(requestHeaders);
    let answer = remembered.get(digest);
    if (!answer || answer.until <= now()) {
      let pending = asking.get(digest);
      if (!pending) {
        pending = ask(digest, requestHeaders).finally(() => asking.delete(digest));
        asking.set(digest, pending);
      }
      answer = await pending;
    }
    if (answer.refusal) throw answer.refusal;
  };
}

// Both credential headers, as the front reads them; the digest keeps no secret in memory.
function credentialDigest(headers: Headers): string {
  return createHash("sha256")
    .update(headers.get("authorization") ?? "")
    .update("\n")
    .update(headers.get("x-api-key") ?? "")
    .digest("base64url");
}
