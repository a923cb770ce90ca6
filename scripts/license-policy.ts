/**
 * Which dependency licences may ship with imagegen (Apache-2.0, LICENSE): permissive ones, and
 * weak copyleft that applies to the dependency's own files only. Strong copyleft (GPL, AGPL —
 * AGPL's network clause would reach every deployment of this API —, SSPL) and non-commercial or
 * source-available terms (CC-BY-NC, BUSL) are refused, and so is a package whose licence is
 * unknown. SPDX identifiers (https://spdx.org/licenses/).
 */
export const ALLOWED_LICENSES: ReadonlySet<string> = new Set([
  "MIT",
  "MIT-0",
  "ISC",
  "Apache-2.0",
  "BSD-2-Clause",
  "BSD-3-Clause",
  "0BSD",
  "BlueOak-1.0.0",
  "Unlicense",
  "CC0-1.0",
  // Data files (SPDX's own lists): attribution only.
  "CC-BY-3.0",
  "CC-BY-4.0",
  "PSF-2.0",
  "Python-2.0",
  // Weak copyleft, file by file: using the unmodified package is fine; changes to its files stay MPL.
  "MPL-2.0",
]);

/**
 * Packages allowed under a licence outside the list, by name prefix (one per platform build),
 * each with why. The check fails when none of them is installed any more, so the list cannot
 * outlive its reason.
 */
export const LICENSE_EXCEPTIONS: ReadonlyMap<string, { license: string; why: string }> = new Map([
  [
    "jsonify",
    {
      license: "Public Domain",
      why: "Douglas Crockford's public-domain JSON code (no terms at all), pulled in by patch-package through json-stable-stringify; it runs at npm install only",
    },
  ],
  [
    "@img/sharp-libvips-",
    {
      license: "LGPL-3.0-or-later",
      why: "libvips as an unmodified shared library that sharp loads at run time (LGPL's dynamic-linking case); its source is libvips' own",
    },
  ],
]);

/**
 * Whether an SPDX licence expression is acceptable: OR needs one acceptable side, AND both;
 * `X WITH exception` is judged by X; parentheses group. A licence that license-checker only
 * guessed from a LICENSE file carries a trailing `*` and is judged as named.
 */
export function isAllowedExpression(expression: string, allowed: ReadonlySet<string> = ALLOWED_LICENSES): boolean {
  const tokens = expression.replace(/\*$/, "").match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const orExpr = (): boolean => {
    let ok = andExpr();
    while (tokens[at]?.toUpperCase() === "OR") {
      at++;
      ok = andExpr() || ok;
    }
    return ok;
  };
  const andExpr = (): boolean => {
    let ok = term();
    while (tokens[at]?.toUpperCase() === "AND") {
      at++;
      ok = term() && ok;
    }
    return ok;
  };
  const term = (): boolean => {
    const token = tokens[at++];
    if (token === "(") {
      const ok = orExpr();
      if (tokens[at++] !== ")") throw new Error(`unbalanced licence expression: ${expression}`);
      return ok;
    }
    if (token === undefined || token === ")") throw new Error(`malformed licence expression: ${expression}`);
    if (tokens[at]?.toUpperCase() === "WITH") at += 2;
    return allowed.has(token);
  };
  if (tokens.length === 0) return false;
  const ok = orExpr();
  if (at !== tokens.length) throw new Error(`malformed licence expression: ${expression}`);
  return ok;
}
