/**
 * `npm run bench [-- --quick]`: every scenario prints a table; all results are also written as
 * JSON to bench/results/. Ratios are against baselines measured in the same run, never against
 * numbers from another machine or day.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { runConcurrency } from "./scenarios/concurrency.ts";
import { runGatewayOverhead } from "./scenarios/gateway-overhead.ts";
import { runHopFloor } from "./scenarios/hop-floor.ts";
import { runOfflineModels } from "./scenarios/offline-models.ts";
import { runPayload } from "./scenarios/payload.ts";
import { runPortkey } from "./scenarios/portkey.ts";
import { runProviderOverhead } from "./scenarios/provider-overhead.ts";
import { runRejections } from "./scenarios/rejections.ts";

const quick = process.argv.includes("--quick");
// `--only provider` runs one scenario (by a word of its name: floor, provider, portkey, gateway,
// rejections, concurrency, payload), for profiling.
const only = process.argv[process.argv.indexOf("--only") + 1];
const wanted = (name: string): boolean => !process.argv.includes("--only") || name.includes(only ?? "");
// Quick is a smoke run: two concurrencies, 0.3 s each; the full run measures 1, 16 and 64.
// `--seconds S` and `--rounds R` (Portkey's interleaved rounds) lengthen a quick run for A/B pairs.
const option = (name: string): number | undefined =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined;
const settings = {
  seconds: option("--seconds") ?? (quick ? 0.3 : 8),
  rounds: option("--rounds"),
  concurrencies: quick ? [1, 64] : [1, 16, 64],
};
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? "",
  memory_gb: Math.round(totalmem() / 2 ** 30),
};
console.log(
  `imagegen bench (${quick ? "quick" : "full"}): ${machine.cpus} × ${machine.cpu}, ${machine.memory_gb} GiB, Node ${machine.node}`,
);

const results: Record<string, unknown> = { machine, quick, started: new Date().toISOString() };
const scenarios: Array<[string, () => Promise<unknown>]> = [
  ["floor", () => runHopFloor(settings)],
  ["provider", () => runProviderOverhead(settings)],
  ["portkey", () => runPortkey({ ...settings, quick })],
  ["gateway", () => runGatewayOverhead(settings)],
  ["rejections", () => runRejections(settings)],
  ["concurrency", () => runConcurrency({ quick })],
  ["payload", () => runPayload({ quick })],
  ["offline-models", () => runOfflineModels({ quick })],
];
for (const [name, run] of scenarios.filter(([name]) => wanted(name))) {
  const started = performance.now();
  results[name] = await run();
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`\nresults written to ${file}`);
