import { readFileSync } from "node:fs";

/** Resident set size of a process in MiB, from /proc (Linux); NaN when it cannot be read. */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib ? Number(kib) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Samples the RSS of named processes every `intervalMs` until stopped, keeping each one's peak:
 * a peak under load minus the idle figure is what the load cost in memory.
 */
export function samplePeakRss(
  pids: Record<string, number | undefined>,
  intervalMs = 50,
): { stop(): Record<string, number> } {
  const peaks: Record<string, number> = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, rssMiB(pid)]),
  );
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name] ?? 0, rssMiB(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}
