import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { readProviderEntries } from "./start/service-plan.ts";

// The README's configuration table lists every IMAGEGEN_* variable a process reads: an operator
// should never have to read the source to learn a knob exists.
const ROOT = join(import.meta.dirname, "..");
const SOURCE_DIRS = ["gateway/src", "services", "packages", "scripts"];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .filter((path) => !/node_modules|\.test\.ts$|\/test\/|\/testing\/|packages\/proto\//.test(path));
}

describe("README configuration table", () => {
  it("names every IMAGEGEN_* variable the processes and the container image read", () => {
    const ids = readProviderEntries(join(ROOT, "config/imagegen.yaml"))
      .map((p) => p.id.toUpperCase())
      .join("|");
    const texts = [...SOURCE_DIRS.flatMap(sourceFiles), "deploy/Dockerfile"].map((path) =>
      readFileSync(join(ROOT, path), "utf8"),
    );
    const read = new Set(
      texts
        .flatMap((text) => text.match(/IMAGEGEN_[A-Z0-9_]*[A-Z0-9]\b/g) ?? [])
        // Per-provider variables are documented once, as IMAGEGEN_PROVIDER_<ID>_…
        .map((name) => name.replace(new RegExp(`^IMAGEGEN_PROVIDER_(${ids})_`), "IMAGEGEN_PROVIDER_<ID>_")),
    );
    expect(read.size).toBeGreaterThan(30);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"));
    expect([...read].filter((name) => !table.includes(`\`${name}\``)).sort()).toEqual([]);
  });
});
