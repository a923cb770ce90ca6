import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installedLicenses, licenseProblems } from "./check-licenses.ts";
import { isAllowedExpression } from "./license-policy.ts";

const root = join(import.meta.dirname, "..");

describe("the licence policy", () => {
  it("judges SPDX expressions: OR needs one allowed side, AND both; copyleft and unknown are refused", () => {
    expect(isAllowedExpression("MIT")).toBe(true);
    expect(isAllowedExpression("(Apache-2.0 AND BSD-3-Clause)")).toBe(true);
    expect(isAllowedExpression("(AFL-2.1 OR BSD-3-Clause)")).toBe(true);
    expect(isAllowedExpression("MIT*")).toBe(true);
    expect(isAllowedExpression("Apache-2.0 WITH LLVM-exception")).toBe(true);
    for (const refused of [
      "AGPL-3.0-only",
      "AGPL-3.0-or-later",
      "GPL-3.0-only",
      "GPL-2.0",
      "SSPL-1.0",
      "BUSL-1.1",
      "CC-BY-NC-4.0",
      "UNKNOWN",
      "UNLICENSED",
      "LGPL-3.0-or-later",
      "",
    ]) {
      expect(isAllowedExpression(refused), refused).toBe(false);
    }
    expect(isAllowedExpression("(MIT AND AGPL-3.0-only)")).toBe(false);
    expect(isAllowedExpression("(MIT OR AGPL-3.0-only)")).toBe(true);
    expect(() => isAllowedExpression("(MIT OR")).toThrow(/malformed|unbalanced/);
  });

  it("reports an AGPL dependency, a package with no licence, and a stale exception", () => {
    const problems = licenseProblems({
      "evil@1.0.0": { licenses: "AGPL-3.0-only" },
      "vague@2.0.0": {},
      "fine@1.0.0": { licenses: "ISC" },
      // Excepted under its own licence: passes.
      "jsonify@0.0.1": { licenses: "Public Domain" },
    });
    expect(problems).toEqual([
      { pkg: "evil@1.0.0", license: "AGPL-3.0-only", problem: "not an allowed licence" },
      { pkg: "vague@2.0.0", license: "UNKNOWN", problem: "not an allowed licence" },
      { pkg: "@img/sharp-libvips-*", license: "-", problem: "listed as an exception but not installed: drop it" },
    ]);
  });
});

describe("this repository", () => {
  it("installs no dependency whose licence conflicts with Apache-2.0", async () => {
    const packages = await installedLicenses();
    expect(Object.keys(packages).length).toBeGreaterThan(100);
    expect(licenseProblems(packages)).toEqual([]);
  }, 60_000);

  it("is Apache-2.0 in LICENSE and in every package.json (SDKs included)", () => {
    expect(readFileSync(join(root, "LICENSE"), "utf8")).toContain(
      "Apache License\n                           Version 2.0, January 2004",
    );
    const manifests = execFileSync(
      "git",
      ["ls-files", "--cached", "--others", "--exclude-standard", "package.json", "**/package.json"],
      { cwd: root, encoding: "utf8" },
    )
      .split("\n")
      .filter(Boolean);
    expect(manifests.length).toBeGreaterThan(10);
    const licenses = Object.fromEntries(
      manifests.map((m) => [m, (JSON.parse(readFileSync(join(root, m), "utf8")) as { license?: string }).license]),
    );
    expect(Object.entries(licenses).filter(([, license]) => license !== "Apache-2.0")).toEqual([]);
  });
});
