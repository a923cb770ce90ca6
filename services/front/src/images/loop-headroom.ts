import { performance } from "node:perf_hooks";

/** How often the event loop's recent load is read. */
const WINDOW_MS = 100;
/** Above this share of the last window spent running code, the loop counts as busy. */
const BUSY_UTILIZATION = 0.7;

let last: ReturnType<typeof performance.eventLoopUtilization> | undefined;
let busy = false;

/**
 * Whether this process's event loop had time to spare over the last ~100 ms (event-loop
 * utilization below 70%): work that would otherwise hop to libuv's thread pool can then run
 * inline, where waking a pool thread and being woken back costs more than the work itself
 * (write-image-file.ts). Starts its 100 ms sampling on first use; the timer never keeps the
 * process alive.
 */
export function loopHasHeadroom(): boolean {
  if (!last) {
    last = performance.eventLoopUtilization();
    setInterval(() => {
      const now = performance.eventLoopUtilization();
      busy = performance.eventLoopUtilization(now, last).utilization > BUSY_UTILIZATION;
      last = now;
    }, WINDOW_MS).unref();
  }
  return !busy;
}
