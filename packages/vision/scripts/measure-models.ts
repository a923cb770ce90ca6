// Measures first-use load and warm latency of each offline model at 512² and 1024², and the
// process's peak resident memory: the figures in README "Offline image models".
// Usage: node --import tsx packages/vision/scripts/measure-models.ts
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { createVisionPool, type AnalysisTasks } from "../src/index.ts";

const photo = readFileSync(new URL("../fixtures/coffee-cup.jpg", import.meta.url));
const sized = async (side: number) => sharp(photo).resize(side, side, { fit: "fill" }).jpeg().toBuffer();
const tasks: Record<string, AnalysisTasks> = {
  decode: {},
  nsfw: { nsfw: true },
  objects: { objects: true },
  faces: { faces: true },
};
const pool = createVisionPool({ timeoutMs: 600_000 });
let peakRss = process.memoryUsage().rss;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const timer = setInterval(sample, 50);

const rows: string[] = [];
const img512 = await sized(512);
const img1024 = await sized(1024);
for (const [name, t] of Object.entries(tasks)) {
  const first = await pool.analyze(img512, t);
  const warm = async (bytes: Buffer) => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push((await pool.analyze(bytes, t)).workerMs);
    return `${Math.min(...runs)}–${Math.max(...runs)}`;
  };
  rows.push(`| ${name} | ${first.workerMs} | ${await warm(img512)} | ${await warm(img1024)} |`);
}
const srRows: string[] = [];
for (const scale of [2, 4] as const) {
  const first = performance.now();
  await pool.upscale(await sized(64), { scale, format: "png" });
  const load = Math.round(performance.now() - first);
  const at = async (side: number) => {
    const started = performance.now();
    await pool.upscale(await sized(side), { scale, format: "png" });
    return Math.round(performance.now() - started);
  };
  srRows.push(`| ESRGAN-slim ×${scale} | ${load} (64² run) | ${await at(256)} | ${await at(512)} |`);
}
clearInterval(timer);
sample();
console.log("| model | first use ms (load + one 512² run) | warm ms @512² | warm ms @1024² |\n|---|---|---|---|");
console.log(rows.join("\n"));
console.log("\n| super-resolution | first use ms | ms @256² | ms @512² |\n|---|---|---|---|");
console.log(srRows.join("\n"));
console.log(`peak RSS of the process with all three loaded: ${Math.round(peakRss / 1e6)} MB`);
await pool.close();
