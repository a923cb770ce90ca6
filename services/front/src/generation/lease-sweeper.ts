import type { Logger } from "@imagegen/server-kit";
import type { Store } from "../store/store.ts";
import type { LeaseStore } from "../leases/lease-store.ts";

const TERMINAL = new Set(["completed", "failed", "canceled"]);

/**
 * Fails generations whose lease expired: the process running them died (crash, kill -9, lost
 * machine). Their provider job may still finish, but nobody is left to store its result, so the
 * honest outcome is a failed generation the caller can retry — uncharged, since cost is only
 * recorded on completion. Runs at start (recovering from our own crash) and then periodically.
 */
export function startLeaseSweeper(options: {
  leases: LeaseStore;
  store: Store;
  holder: string;
  intervalMs: number;
  logger: Logger;
  onFailed?: (owner: string, generationId: string) => void;
  /** Deletes the images a failed or canceled generation had stored (see discard-partial-images.ts). */
  discardImages?: (generationId: string) => Promise<void>;
}): () => void {
  const sweep = async (): Promise<void> => {
    const claimed = await options.leases.claimExpired(Date.now(), options.holder).catch((error: unknown) => {
      options.logger.warn("lease sweep could not read leases; next sweep retries", { error });
      return [];
    });
    for (const lease of claimed) {
      try {
        const record = await options.store.getGeneration(lease.owner, lease.generationId);
        if (record && !TERMINAL.has(record.status)) {
          await options.store.updateGeneration(record.id, {
            status: "failed",
            completedAt: Date.now(),
            errorReason: "GENERATION_FAILED",
            errorMessage:
              "interrupted: the process running this generation stopped or could not record its outcome; please retry",
          });
          options.logger.warn("failed an interrupted generation", {
            generation_id: record.id,
            previous_holder: lease.holder,
          });
          options.onFailed?.(lease.owner, record.id);
        }
        // Its process died before it could delete a partial result (failed here, or canceled
        // from another replica meanwhile): nothing of it may stay listed or counted.
        if (record && record.status !== "completed") await options.discardImages?.(record.id);
        await options.leases.release(lease.generationId);
      } catch (error) {
        options.logger.error("lease sweep failed", { generation_id: lease.generationId, error });
        // Most likely the store is unreachable: hand the claim back so the next sweep retries,
        // rather than the generation waiting out the whole claim.
        await options.leases.hold({ ...lease, expiresAt: Date.now() }).catch(() => undefined);
      }
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
