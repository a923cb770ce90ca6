import { resolve } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";

/** How often the checkpointer copies committed WAL pages back into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;

// The worker is plain JS given as source, so it runs the same under tsx, vitest and plain node.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(workerData.file);
setInterval(() => {
  // PASSIVE never waits for a lock: pages a reader still needs are copied on a later round.
  try { db.exec("PRAGMA wal_checkpoint(PASSIVE)"); } catch {}
}, workerData.intervalMs);
`;

interface Checkpointer {
  readonly worker: Worker;
  readonly connections: Set<DatabaseSync>;
}

const checkpointers = new Map<string, Checkpointer>();

/**
 * Moves WAL checkpoints of `file` off the event loop. SQLite otherwise runs one inside whichever
 * commit crosses 1000 WAL pages, synchronously, with an fsync of the database file: measured
 * here, that stalled the front's event loop for ~10 ms every few hundred generations and cost
 * 40% of the write path on average. Each process keeps one worker thread per file with its own
 * connection checkpointing every 200 ms; request-path connections stop checkpointing themselves.
 * Should the worker fail, the connections go back to SQLite's own automatic checkpoints.
 */
export function checkpointInBackground(db: DatabaseSync, path: string): void {
  const file = resolve(path);
  const checkpointer = checkpointers.get(file) ?? startCheckpointer(file);
  checkpointer.connections.add(db);
  db.exec("PRAGMA wal_autocheckpoint = 0");
  const close = db.close.bind(db);
  db.close = (): void => {
    close();
    checkpointer.connections.delete(db);
    if (checkpointer.connections.size > 0) return;
    // The last connection of this file in this process: the worker's job is done.
    if (checkpointers.get(file) === checkpointer) checkpointers.delete(file);
    checkpointer.worker.removeAllListeners("exit").removeAllListeners("error");
    void checkpointer.worker.terminate();
  };
}

function startCheckpointer(file: string): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS } });
  worker.unref();
  const checkpointer: Checkpointer = { worker, connections: new Set() };
  const fallBack = (): void => {
    if (checkpointers.get(file) === checkpointer) checkpointers.delete(file);
    for (const connection of checkpointer.connections)
      if (connection.isOpen) connection.exec("PRAGMA wal_autocheckpoint = 1000");
  };
  worker.once("error", fallBack);
  worker.once("exit", fallBack);
  checkpointers.set(file, checkpointer);
  return checkpointer;
}
