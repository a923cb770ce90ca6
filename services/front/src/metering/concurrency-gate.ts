import { apiError, ErrorReason } from "@imagegen/errors";

/**
 * Caps the generations one key has running at once, in this process. A slot is taken before a
 * generation is persisted and given back when it ends, however it ends.
 */
export class ConcurrencyGate {
  private readonly running = new Map<string, number>();

  /** Takes a slot or throws RATE_LIMITED; the returned function gives it back (once). */
  acquire(subject: string, max: number): () => void {
    const count = this.running.get(subject) ?? 0;
    if (count >= max) {
      throw apiError(ErrorReason.RATE_LIMITED, `at most ${max} generations may run at once for this API key`, {
        retryAfterSeconds: 1,
        metadata: { limit: "max_concurrent", max_concurrent: String(max) },
      });
    }
    this.running.set(subject, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(subject) ?? 1) - 1;
      if (left > 0) this.running.set(subject, left);
      else this.running.delete(subject);
    };
  }
}
