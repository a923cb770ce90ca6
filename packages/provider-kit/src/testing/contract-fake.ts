import type { FakeServer } from "./fake-server.ts";

/**
 * How the next job submission(s) to a fake upstream behave. Each fake speaks its vendor's real
 * wire protocol, so "status 429" means that vendor's own 429 body and headers.
 */
export type FakeBehaviour =
  /**
   * The submission answers `status` with the vendor's error body for it. 400 bodies must echo
   * the credential the fake received, so the suite can prove it is scrubbed. `times` defaults
   * to 1 (then the fake serves normally); use Infinity for "always".
   */
  | { readonly kind: "status"; readonly status: number; readonly retryAfterSeconds?: number; readonly times?: number }
  /** Accepted, and never finishes (for deadline and cancel). */
  | { readonly kind: "hang" }
  /** The submission's response sends headers and then trickles its body forever. */
  | { readonly kind: "slow-body" }
  /** The submission answers 2xx headers and part of its body, then the connection closes. */
  | { readonly kind: "cut-off" }
  /** The submission answers 2xx with a body that is not the vendor's documented shape. */
  | { readonly kind: "malformed" }
  /** The job succeeds without any image (empty output). */
  | { readonly kind: "empty" }
  /** The vendor's moderation refuses the prompt or the result. */
  | { readonly kind: "moderated" };

/** What the shared contract suite needs from a provider's fake upstream. */
export interface ContractFake extends FakeServer {
  /** Scripts the next submissions; scripts queue in order. */
  script(behaviour: FakeBehaviour): void;
  /** Forgets all scripts (the suite calls it before every case). */
  reset(): void;
  /** How many job-creating requests the fake has received so far. */
  submissions(): number;
  /**
   * Resolves once the fake saw us stop the last job after a cancel or deadline: the cancel
   * endpoint was called (Replicate) or polling stopped (BFL, which has no cancel). The suite
   * polls every 10 ms backing off to at most 50 ms, so "no poll for 500 ms" proves a stop.
   */
  sawStop(): Promise<void>;
}
