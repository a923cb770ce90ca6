import { apiError, ErrorReason } from "@imagegen/errors";

/** Bodies up to this size are always admitted: a flood of large uploads never starves small calls. */
export const SMALL_BODY_BYTES = 1024 * 1024;

/** Seconds a caller refused for lack of budget is asked to wait. */
const RETRY_AFTER_SECONDS = 2;

/**
 * The edge's bound on request bodies held in memory at once, over every surface. Each request
 * reserves its declared Content-Length up front and whatever it sends beyond that as it arrives;
 * one that would take the total past the budget is refused with UNAVAILABLE and Retry-After
 * before more is read, unless it is still small. Memory held for bodies therefore stays under
 * the budget plus 1 MiB per small request in flight, however many large bodies arrive.
 */
export class BodyBudget {
  private inFlight = 0;

  constructor(readonly limitBytes: number) {}

  /** Bytes of bodies reserved right now (for tests and metrics). */
  get bytesInFlight(): number {
    return this.inFlight;
  }

  /** A running account for one request's body; `close()` gives its bytes back. */
  open(): BodyAccount {
    let held = 0;
    let closed = false;
    return {
      reserve: (total: number): void => {
        if (closed || total <= held) return;
        const more = total - held;
        if (total > SMALL_BODY_BYTES && this.inFlight + more > this.limitBytes) throw budgetExhausted(this.limitBytes);
        held = total;
        this.inFlight += more;
      },
      close: (): void => {
        if (closed) return;
        closed = true;
        this.inFlight -= held;
        held = 0;
      },
    };
  }
}

/** One request's share of the budget. */
export interface BodyAccount {
  /**
   * Makes sure `total` bytes of this body are reserved (a total already covered costs nothing);
   * throws UNAVAILABLE with Retry-After when the budget cannot hold the difference.
   */
  reserve(total: number): void;
  /** Returns everything this request reserved; later calls do nothing. */
  close(): void;
}

function budgetExhausted(limitBytes: number) {
  return apiError(
    ErrorReason.UNAVAILABLE,
    `the server is receiving more large request bodies than it holds at once (${limitBytes} bytes); retry shortly`,
    { retryAfterSeconds: RETRY_AFTER_SECONDS, metadata: { body_budget_bytes: String(limitBytes) } },
  );
}
