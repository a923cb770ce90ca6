import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// What `npm ci` checks before it installs anything (CI and the Dockerfile run it): every
// dependency every locked package declares — optional platform packages included, on every
// platform, not only this machine's — has an entry of its own in package-lock.json.
const ROOT = join(import.meta.dirname, "..");
interface LockedPackage {
  version?: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  link?: boolean;
}
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  lockfileVersion: number;
  packages: Record<string, LockedPackage>;
};
const entries = lock.packages;

/** Node's lookup: the package's own node_modules, then each enclosing one, up to the root's. */
function resolves(from: string, name: string): boolean {
  for (let dir = from; ; ) {
    if (entries[`${dir ? `${dir}/` : ""}node_modules/${name}`]) return true;
    if (dir === "") return false;
    // "node_modules/a/node_modules/b" → "node_modules/a"; "node_modules/a" or a workspace → the root.
    const at = dir.lastIndexOf("/node_modules/");
    dir = at >= 0 ? dir.slice(0, at) : "";
  }
}

describe("package-lock.json", () => {
  it("is lockfile v3 and lists every dependency of every locked package (npm ci accepts it on any platform)", () => {
    expect(lock.lockfileVersion).toBe(3);
    const missing: string[] = [];
    for (const [path, pkg] of Object.entries(entries)) {
      if (pkg.link) continue;
      // The root and the workspaces declare dev dependencies too; installed packages' are not installed.
      const isProject = !path.includes("node_modules/");
      const wanted = { ...pkg.dependencies, ...pkg.optionalDependencies, ...(isProject ? pkg.devDependencies : {}) };
      for (const name of Object.keys(wanted)) if (!resolves(path, name)) missing.push(`${path || "(root)"} → ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it("has all of @bufbuild/buf's platform builds (the ones an older mirror left out)", () => {
    const buf = entries["node_modules/@bufbuild/buf"]!;
    const platforms = Object.keys(buf.optionalDependencies ?? {});
    expect(platforms.length).toBeGreaterThanOrEqual(7);
    for (const name of platforms) expect(entries[`node_modules/${name}`], name).toMatchObject({ version: buf.version });
  });

  it("agrees with package.json: name, version, licence and every declared dependency", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as LockedPackage & { name: string };
    const root = entries[""]!;
    expect(root).toMatchObject({ version: manifest.version, license: manifest.license });
    expect(root.dependencies).toEqual(manifest.dependencies);
    expect(root.devDependencies).toEqual(manifest.devDependencies);
  });
});
