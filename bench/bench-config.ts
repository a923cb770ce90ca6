import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The catalog with the enterprise tier's rate limits lifted — the bench measures the gateway,
 * not the limiter refusing the bootstrap key after 3000 requests a minute — and the free tier
 * cut to one request a day, so a free key measures the 429 path without its window reopening.
 */
export function benchConfigPath(): string {
  const source = readFileSync(join(import.meta.dirname, "..", "config", "imagegen.yaml"), "utf8");
  const relaxed = source.replace(
    /^(\s*)enterprise: \{[^}]*\}/m,
    "$1enterprise: { per_minute: 100000000, per_hour: 100000000, per_day: 100000000, monthly_credits: 100000000, max_concurrent: 100000 }",
  );
  const tightened = relaxed.replace(
    /^(\s*)free: \{[^}]*\}/m,
    "$1free: { per_minute: 1, per_hour: 1, per_day: 1, monthly_credits: 100, max_concurrent: 2 }",
  );
  if (relaxed === source || tightened === relaxed)
    throw new Error("bench: could not find the enterprise and free tiers in config/imagegen.yaml");
  const dir = mkdtempSync(join(tmpdir(), "imagegen-bench-"));
  // The processes started with it have read it by the time the bench exits.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "imagegen.yaml");
  writeFileSync(file, tightened);
  return file;
}
