import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadServiceSecret, SERVICE_SECRET_FILE } from "./service-secret.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "imagegen-secret-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("loadServiceSecret", () => {
  it("uses IMAGEGEN_SERVICE_SECRET when set, and writes no file", () => {
    const dir = tempDir();
    const secret = loadServiceSecret(dir, { IMAGEGEN_SERVICE_SECRET: "x".repeat(32) });
    expect(secret.toString()).toBe("x".repeat(32));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses a short IMAGEGEN_SERVICE_SECRET with a message that does not repeat it", () => {
    expect(() => loadServiceSecret(tempDir(), { IMAGEGEN_SERVICE_SECRET: "short-secret-value" })).toThrow(
      /^IMAGEGEN_SERVICE_SECRET must be at least 32 characters/,
    );
    try {
      loadServiceSecret(tempDir(), { IMAGEGEN_SERVICE_SECRET: "short-secret-value" });
    } catch (error) {
      expect(String(error)).not.toContain("short-secret-value");
    }
  });

  it("creates 32 random bytes in the data dir, private to the owner, and reads them back after", () => {
    const dir = join(tempDir(), "nested");
    const first = loadServiceSecret(dir, {});
    expect(first.length).toBe(32);
    expect(statSync(join(dir, SERVICE_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadServiceSecret(dir, {}).equals(first)).toBe(true);
    // No temp files left behind.
    expect(readdirSync(dir)).toEqual([SERVICE_SECRET_FILE]);
  });

  it("refuses a file too short to be a secret", () => {
    const dir = tempDir();
    writeFileSync(join(dir, SERVICE_SECRET_FILE), "");
    expect(() => loadServiceSecret(dir, {})).toThrow(/fewer than 32 bytes; delete it/);
  });

  it("gives every one of many processes starting together the same secret", async () => {
    const dir = tempDir();
    const script = `import { loadServiceSecret } from ${JSON.stringify(join(import.meta.dirname, "service-secret.ts"))};
      process.stdout.write(loadServiceSecret(process.argv[1], {}).toString("hex"));`;
    const outputs = await Promise.all(
      Array.from({ length: 8 }, () => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dir], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        return new Promise<string>((resolve) => child.once("exit", () => resolve(out)));
      }),
    );
    const onDisk = readFileSync(join(dir, SERVICE_SECRET_FILE)).toString("hex");
    expect(onDisk).toHaveLength(64);
    expect(outputs).toEqual(Array(8).fill(onDisk));
    expect(readdirSync(dir)).toEqual([SERVICE_SECRET_FILE]);
  }, 30_000);
});
