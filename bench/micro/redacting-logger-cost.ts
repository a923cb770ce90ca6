/**
 * CPU per job of the provider kit's redacting logger on the success path (issue 19): what runJob
 * logs for a finished job — `with({model, generation_id})` then `info("job finished", {...})` —
 * over a logger at LOG_LEVEL=warn (the bench's), so the scrubbing alone is measured.
 *
 *   node --import tsx bench/micro/redacting-logger-cost.ts [--base REF] [--jobs N] [--rounds R]
 *
 * With `--base REF`, REF's redact.ts (copied beside this file for the run, then removed) and the
 * working tree's alternate, A/B/B/A per round.
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createLogger, type Logger } from "@imagegen/server-kit";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    jobs: { type: "string", default: "200000" },
    rounds: { type: "string", default: "4" },
  },
});
const jobs = Number(args.jobs);
const repo = resolve(import.meta.dirname, "../..");
type Kit = { createRedactor(s: string[]): (t: string) => string; createRedactingLogger(l: Logger, r: unknown): Logger };

const arms: { name: string; kit: Kit; us: number[] }[] = [];
const copy = join(import.meta.dirname, "redact-base.tmp.ts");
try {
  if (args.base) {
    const source = execFileSync("git", ["show", `${args.base}:packages/provider-kit/src/redact.ts`], { cwd: repo });
    writeFileSync(copy, source);
    arms.push({ name: args.base, kit: (await import(copy)) as Kit, us: [] });
  }
  arms.push({
    name: "working tree",
    kit: (await import(join(repo, "packages/provider-kit/src/redact.ts"))) as Kit,
    us: [],
  });
} finally {
  rmSync(copy, { force: true });
}

process.env.LOG_LEVEL = "warn";
const inner = createLogger("provider-openai");
const run = (kit: Kit, n: number): number => {
  const logger = kit.createRedactingLogger(inner, kit.createRedactor(["sk-bench-token", "Bearer sk-bench-token"]));
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const log = logger.with({ model: "gpt-image-1", generation_id: `gen_${i}` });
    log.info("job finished", { job_id: `openai-gen_${i}`, images: 1, ms: i % 100 });
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
};
for (const arm of arms) run(arm.kit, jobs / 10); // warm-up
for (let round = 0; round < Number(args.rounds); round++) {
  for (const arm of round % 2 === 0 ? arms : [...arms].reverse()) arm.us.push(run(arm.kit, jobs));
}
console.log(`redacting logger, with() + info() per job, ${jobs} jobs per run`);
for (const arm of arms) {
  const sorted = [...arm.us].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  console.log(
    `${arm.name.padEnd(14)} CPU µs/job: median ${median.toFixed(2)} (runs ${arm.us.map((u) => u.toFixed(2)).join(" / ")})`,
  );
}
