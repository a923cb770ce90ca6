import type { Logger } from "@imagegen/server-kit";
import type { Store } from "../store/store.ts";
import type { InFlightGenerations } from "./in-flight-generations.ts";

/**
 * Lets a cancel made on another replica reach the one running the generation. A cancel for a
 * generation not running where it arrives is written to the store (a guarded update: a
 * terminal generation stays as it is); this loop asks the store, in one query for everything
 * running here, which of them were canceled since, and aborts those — which cancels their
 * provider jobs. The running replica's own outcome write is guarded too, so the cancel wins
 * even when the provider finished in between, and nothing is charged.
 */
export function startCancelWatcher(options: {
  readonly store: Store;
  readonly inFlight: InFlightGenerations;
  /** How long a cancel made elsewhere may take to reach the provider job (plus one query). */
  readonly intervalMs: number;
  readonly logger: Logger;
}): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    const ids = options.inFlight.ids();
    if (ids.length === 0) return;
    for (const id of await options.store.canceledAmong(ids)) {
      if (options.inFlight.cancel(id))
        options.logger.info("generation canceled on another replica", { generation_id: id });
    }
  };
  const next = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      // A store that is briefly away only delays the cancel to the next round.
      void tick()
        .catch((error: unknown) => options.logger.warn("cancel check failed", { error }))
        .finally(next);
    }, options.intervalMs);
    timer.unref();
  };
  next();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
