/**
 * Fails when an installed dependency's licence conflicts with imagegen's Apache-2.0
 * (scripts/license-policy.ts says which are allowed and why). Run by `npm run licenses`, and by
 * npm test through scripts/check-licenses.test.ts:
 *   node --import tsx scripts/check-licenses.ts
 */
import { join } from "node:path";
import { init, type ModuleInfos } from "license-checker-rseidelsohn";
import { isAllowedExpression, LICENSE_EXCEPTIONS } from "./license-policy.ts";

export interface LicenseProblem {
  readonly pkg: string;
  readonly license: string;
  readonly problem: string;
}

/** Every installed package (dev ones included: they run in CI and on developers' machines). */
export async function installedLicenses(root = join(import.meta.dirname, "..")): Promise<ModuleInfos> {
  return await new Promise((resolve, reject) =>
    // Our own workspace packages are private and Apache-2.0 themselves.
    init({ start: root, excludePrivatePackages: true }, (error, packages) =>
      error ? reject(error) : resolve(packages),
    ),
  );
}

/** What in `packages` conflicts with the policy; empty when all is well. */
export function licenseProblems(packages: ModuleInfos): LicenseProblem[] {
  const problems: LicenseProblem[] = [];
  const excepted = new Set<string>();
  for (const [id, info] of Object.entries(packages)) {
    const name = id.slice(0, id.lastIndexOf("@"));
    // An old-style list of licences: each applies.
    const license = Array.isArray(info.licenses) ? info.licenses.join(" AND ") : (info.licenses ?? "UNKNOWN");
    const [prefix, exception] = [...LICENSE_EXCEPTIONS].find(([p]) => name.startsWith(p)) ?? [];
    if (prefix && exception) {
      excepted.add(prefix);
      if (license !== exception.license)
        problems.push({ pkg: id, license, problem: `excepted as ${exception.license} only` });
      continue;
    }
    let ok: boolean;
    try {
      ok = isAllowedExpression(license);
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ pkg: id, license, problem: "not an allowed licence" });
  }
  for (const prefix of LICENSE_EXCEPTIONS.keys()) {
    if (!excepted.has(prefix))
      problems.push({ pkg: `${prefix}*`, license: "-", problem: "listed as an exception but not installed: drop it" });
  }
  return problems;
}

if (import.meta.main) {
  const packages = await installedLicenses();
  const problems = licenseProblems(packages);
  for (const p of problems) console.error(`licences: ${p.pkg}: ${p.license}: ${p.problem}`);
  console.log(`licences: ${Object.keys(packages).length} packages checked, ${problems.length} problems`);
  process.exit(problems.length === 0 ? 0 : 1);
}
