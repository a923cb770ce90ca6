import type { DatabaseSync } from "node:sqlite";

interface Write {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit for the writes every generation makes (its insert, its completion, its images).
 * A commit appends each page it changed to the WAL — two `pwrite`s a page, about fourteen pages
 * for one generation's two writes — and under load dozens of generations write in one turn of
 * the event loop (measured at 64 in flight: most turns held 10 to 20+), mostly to the same few
 * pages: the last leaves of the tables and their indexes. So the writes asked for in one turn run
 * at its end in one transaction, each under a savepoint of its own: a write that throws is rolled
 * back alone and rejects alone, the others commit together, and no caller hears of its write
 * before the commit is done. At one request at a time a group is one write, run when the turn
 * that asked for it ends.
 */
export class SqliteGroupCommit {
  private readonly db: DatabaseSync;
  private queue: Write[] = [];
  private scheduled = false;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** Runs `work` (synchronous statements, no transaction of its own) in this turn's group. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs the writes asked for so far; the store calls it before closing, so none is lost. */
  flush(): void {
    this.scheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.runGroup(group);
    } catch (error) {
      // A statement of the group's own bookkeeping failed (ROLLBACK TO, RELEASE): nothing of it
      // is trusted, and every caller hears so rather than waiting forever.
      try {
        if (this.db.isTransaction) this.db.exec("ROLLBACK");
      } catch {}
      outcomes = group.map(() => ({ ok: false, error }));
    }
    for (const [i, write] of group.entries()) {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    }
  }

  private runGroup(group: readonly Write[]): Outcome[] {
    const failAll = (error: unknown): Outcome[] => group.map(() => ({ ok: false, error }));
    try {
      // The write lock once for the group: a busy database (another process writing) is waited
      // for once (busy_timeout) and fails the group, not each write of it in turn.
      this.statement("BEGIN IMMEDIATE");
    } catch (error) {
      return failAll(error);
    }
    // A group of one (one request at a time) needs no savepoint: its failure is the transaction's.
    const alone = group.length === 1;
    const outcomes: Outcome[] = [];
    for (const write of group) {
      const outcome = alone ? attempt(write) : this.underSavepoint(write);
      // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the
      // writes before this one are gone too, and every write of the group fails with it.
      if (!outcome.ok && (alone || !this.db.isTransaction)) {
        if (this.db.isTransaction) this.statement("ROLLBACK");
        return failAll(outcome.error);
      }
      outcomes.push(outcome);
    }
    try {
      this.statement("COMMIT");
    } catch (error) {
      if (this.db.isTransaction) this.statement("ROLLBACK");
      return failAll(error);
    }
    return outcomes;
  }

  /** One write of a larger group: rolled back alone if it throws. */
  private underSavepoint(write: Write): Outcome {
    this.statement("SAVEPOINT group_write");
    const outcome = attempt(write);
    if (this.db.isTransaction) {
      if (!outcome.ok) this.statement("ROLLBACK TO group_write");
      this.statement("RELEASE group_write");
    }
    return outcome;
  }

  // Prepared (and so cached by the connection), not exec()'d: exec compiles its text every time.
  private statement(sql: string): void {
    this.db.prepare(sql).run();
  }
}

function attempt(write: Write): Outcome {
  try {
    return { ok: true, value: write.work() };
  } catch (error) {
    return { ok: false, error };
  }
}
