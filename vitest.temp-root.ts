import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Every temporary file of a test run — the test files' own and those of the processes they start
// (data dirs, SQLite files, PostgreSQL clusters) — lands under one folder that is removed when
// the run ends, however a test file ended: a run leaves nothing in the machine's temp folder.
// Workers and their children inherit TMPDIR, and os.tmpdir() reads it on every call.
export function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "imagegen-test-run-"));
  // Open like /tmp itself (sticky, everyone may create): the PostgreSQL servers the state suites
  // start run as another user when the tests run as root, and must reach their folders in here.
  chmodSync(root, 0o1777);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
