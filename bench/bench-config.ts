import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The catalog with the enterprise tier's rate limits lifted: the bench measures the gateway,
 * not the limiter refusing the bootstrap key after 3000 requests a minute.
 */
export function benchConfigPath(): string {
  const source = readFileSync(join(import.meta.dirname, "..", "config", "imagegen.yaml"), "utf8");
  const relaxed = source.replace(
    /^(\s*)enterprise: \{[^}]*\}/m,
    "$1enterprise: { per_minute: 100000000, per_hour: 100000000, per_day: 100000000, monthly_credits: 100000000, max_concurrent: 100000 }",
  );
  if (relaxed === source) throw new Error("bench: could not find the enterprise tier in config/imagegen.yaml");
  const file = join(mkdtempSync(join(tmpdir(), "imagegen-bench-")), "imagegen.yaml");
  writeFileSync(file, relaxed);
  return file;
}
