import { renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { loopHasHeadroom } from "./loop-headroom.ts";

/** Files up to this size may be written inline (under ~0.1 ms of the loop's time here). */
export const INLINE_WRITE_MAX_BYTES = 256 * 1024;

/**
 * Writes `bytes` to a temp name beside `file` and renames it into place, so a reader finds the
 * whole file or none; rejects with the file system's error (ENOENT when the folder is missing).
 * A small file is written inline while the event loop has headroom, else through libuv's pool.
 * Measured (issue 19, bench/micro/chain-cost.ts, alternating runs on the 2-core bench machine):
 * at one request at a time, inline writes took 0.27 ms off the median answer and 0.2 ms of CPU
 * off each generation — the pool's four round trips (open, write, close, rename) each wake a
 * thread and are woken back; under load, inline writes cost 15% of throughput, because creating
 * the file (the inode) then runs on the loop instead of beside it.
 */
export async function writeImageFile(file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  if (bytes.byteLength <= INLINE_WRITE_MAX_BYTES && loopHasHeadroom()) {
    writeFileSync(temp, bytes);
    renameSync(temp, file);
    return;
  }
  await writeFile(temp, bytes);
  await rename(temp, file);
}
