import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretsBox } from "./secrets-box.ts";

describe("SecretsBox", () => {
  it("seals so the plain text is not in the sealed value, and opens it again", () => {
    const box = SecretsBox.load(mkdtempSync(join(tmpdir(), "secrets-")), {
      IMAGEGEN_SECRETS_KEY: "a-long-enough-operator-key",
    });
    const sealed = box.seal("sl.secret-token");
    expect(sealed).not.toContain("secret-token");
    expect(box.seal("sl.secret-token")).not.toBe(sealed);
    expect(box.open(sealed)).toBe("sl.secret-token");
  });

  it("refuses a value sealed with another key, or altered, without showing it", () => {
    const dir = mkdtempSync(join(tmpdir(), "secrets-"));
    const sealed = SecretsBox.load(dir, { IMAGEGEN_SECRETS_KEY: "first-key-0123456789" }).seal("sl.secret-token");
    expect(() => SecretsBox.load(dir, { IMAGEGEN_SECRETS_KEY: "second-key-0123456789" }).open(sealed)).toThrow(
      /could not be opened/,
    );
    const box = SecretsBox.load(dir, { IMAGEGEN_SECRETS_KEY: "first-key-0123456789" });
    const altered = sealed.slice(0, -2) + (sealed.endsWith("A") ? "B" : "A") + sealed.slice(-1);
    expect(() => box.open(altered)).toThrow(/could not be opened/);
  });

  it("generates one private key file in the data dir and keeps using it", () => {
    const dir = mkdtempSync(join(tmpdir(), "secrets-"));
    const sealed = SecretsBox.load(dir, {}).seal("x");
    expect(SecretsBox.load(dir, {}).open(sealed)).toBe("x");
    expect(readFileSync(join(dir, "secrets.key"))).toHaveLength(32);
    expect(statSync(join(dir, "secrets.key")).mode & 0o777).toBe(0o600);
  });

  it("refuses a short IMAGEGEN_SECRETS_KEY", () => {
    expect(() => SecretsBox.load(tmpdir(), { IMAGEGEN_SECRETS_KEY: "short" })).toThrow(/at least 16/);
  });
});
