import { readFileSync } from "node:fs";

/** Resident memory of a process in bytes (Linux /proc), or 0 when it is gone. */
export function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the summed RSS of `pids` every 25 ms while `work` runs; resolves with the work's result,
 * the sum before it started and the highest sum seen.
 */
export async function peakResidentWhile<T>(
  pids: ReadonlyArray<number | undefined>,
  work: () => Promise<T>,
): Promise<{ result: T; before: number; peak: number }> {
  const sum = (): number => pids.reduce<number>((total, pid) => total + residentBytes(pid), 0);
  const before = sum();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, sum())), 25);
  try {
    const result = await work();
    peak = Math.max(peak, sum());
    return { result, before, peak };
  } finally {
    clearInterval(sampler);
  }
}
