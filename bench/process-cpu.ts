import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

// Clock ticks per second of /proc's utime/stime (100 on every common Linux, asked once).
const ticksPerSecond = ((): number => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system, all threads) a process has used so far in ms, from /proc/<pid>/stat
 * (Linux); NaN when it cannot be read. Resolution is one clock tick (10 ms): read it around
 * thousands of requests, not one.
 */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3; utime, stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/** The system (kernel) part of cpuMs() alone: field 15 of /proc/<pid>/stat. NaN when unreadable. */
export function systemCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[12]) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}
