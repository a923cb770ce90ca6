import { createHash } from "node:crypto";
import { clone, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import type { GenerationRecord, Store } from "../store/store.ts";

/** How long a key keeps answering with its first generation. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

/** A create call's idempotency key and the fingerprint of what it asked for. */
export interface IdempotencyClaim {
  readonly key: string;
  readonly fingerprint: string;
}

/**
 * The claim of a create request: the Idempotency-Key header, else the request's own
 * `request_id` field (AIP-155). The fingerprint is the request without its request_id, so a
 * retry that only renames nothing else matches and a changed body does not.
 */
export function idempotencyClaimOf<D extends DescMessage>(
  headers: Headers,
  schema: D,
  request: MessageShape<D> & { requestId: string },
): IdempotencyClaim | undefined {
  const key = headers.get("idempotency-key")?.trim() || request.requestId;
  if (!key) return undefined;
  if (key.length > MAX_KEY_LENGTH) {
    throw apiError(ErrorReason.INVALID_REQUEST, `Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters`, {
      fieldViolations: [
        {
          field: "Idempotency-Key",
          description: `at most ${MAX_KEY_LENGTH} characters`,
          rule: "idempotency_key.max_len",
        },
      ],
    });
  }
  const body = clone(schema, request) as MessageShape<D> & { requestId: string };
  body.requestId = "";
  const fingerprint = createHash("sha256").update(toBinary(schema, body)).digest("hex");
  return { key, fingerprint };
}

/** Outcomes a key does not answer with: nothing was produced or charged, so a retry runs anew. */
const RETRYABLE_OUTCOMES: ReadonlySet<string> = new Set(["failed", "canceled"]);
/**
 * How long a key may name a generation that is not stored yet before the call that claimed it
 * counts as gone (a front that died between claiming and inserting, whose caller's retry — or the
 * edge's, after the dropped link — would otherwise replay a generation that never existed).
 */
const UNSTORED_CLAIM_GRACE_MS = 5_000;
const UNSTORED_POLL_MS = 50;

/** Retries racing for one key's takeover: past this many, the latest holder is replayed. */
const MAX_TAKEOVERS = 3;

/**
 * Claims `claim` for a new generation. Returns the id of the generation an earlier call with
 * the same key and body created (replay it), or undefined when this call is the first; the same
 * key with another body is IDEMPOTENCY_MISMATCH. A key whose generation failed (interrupted, a
 * provider outage) or was canceled is taken over by this call, so "please retry" works with the
 * same key; of retries racing for it, one wins and the others replay that one.
 */
export async function claimOrReplay(
  store: Store,
  owner: string,
  claim: IdempotencyClaim,
  generationId: string,
  now = Date.now(),
): Promise<string | undefined> {
  let held = await store.claimIdempotencyKey(
    { owner, key: claim.key, fingerprint: claim.fingerprint, generationId, createdAt: now },
    now - IDEMPOTENCY_TTL_MS,
  );
  for (let takeover = 0; held.generationId !== generationId; takeover++) {
    if (held.fingerprint !== claim.fingerprint) {
      throw apiError(
        ErrorReason.IDEMPOTENCY_MISMATCH,
        "this Idempotency-Key was used with a different request in the last 24 h",
        {
          metadata: { idempotency_key: claim.key.slice(0, 64) },
        },
      );
    }
    // Not stored yet means its create call is still starting it (admission, lease, insert: it is
    // given a few seconds), or died in between — then the key is as free as after a failure.
    const earlier = await storedBy(store, owner, held.generationId, held.createdAt + UNSTORED_CLAIM_GRACE_MS);
    if (takeover >= MAX_TAKEOVERS || (earlier && !RETRYABLE_OUTCOMES.has(earlier.status))) return held.generationId;
    // Gives the key up only if it still names that generation (atomic), then claims it again.
    await store.releaseIdempotencyKey(owner, claim.key, held.generationId);
    held = await store.claimIdempotencyKey(
      { owner, key: claim.key, fingerprint: claim.fingerprint, generationId, createdAt: now },
      now - IDEMPOTENCY_TTL_MS,
    );
  }
  return undefined;
}

/** The generation once it is stored, or undefined if it still is not by `deadline` (epoch ms). */
async function storedBy(
  store: Store,
  owner: string,
  generationId: string,
  deadline: number,
): Promise<GenerationRecord | undefined> {
  for (;;) {
    const record = await store.getGeneration(owner, generationId);
    if (record || Date.now() >= deadline) return record;
    await new Promise((resolve) => setTimeout(resolve, UNSTORED_POLL_MS));
  }
}
