import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * REF's packages/ and services/ in a temporary directory whose node_modules links to `repo`'s,
 * except our own @imagegen packages, which point into the copy: code imported from the copy runs
 * REF's version of every workspace package (the caller removes the directory).
 */
export function copyOfRef(repo: string, ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), "imagegen-ref-"));
  const archive = execFileSync("git", ["archive", ref, "package.json", "tsconfig.json", "packages", "services"], {
    cwd: repo,
    maxBuffer: 1 << 30,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  mkdirSync(join(dir, "node_modules/@imagegen"), { recursive: true });
  for (const entry of readdirSync(join(repo, "node_modules"))) {
    if (entry !== "@imagegen") symlinkSync(join(repo, "node_modules", entry), join(dir, "node_modules", entry));
  }
  for (const entry of readdirSync(join(repo, "node_modules/@imagegen"))) {
    const target = readlinkSync(join(repo, "node_modules/@imagegen", entry));
    symlinkSync(resolve(join(dir, "node_modules/@imagegen"), target), join(dir, "node_modules/@imagegen", entry));
  }
  return dir;
}
