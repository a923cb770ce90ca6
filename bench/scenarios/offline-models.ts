/**
 * The offline image models as a service meets them (issue 22, point 6): each through its own worker
 * pool — NSFW, objects and faces (vision pool), ESRGAN-slim ×2 (vision pool), ISNet background removal
 * (matting pool) — first use (load + one 512² run), warm latency at 512² and 1024², throughput (images
 * per minute for a queued burst at 512², the pool running one at a time), and the process's peak
 * resident memory with all of them loaded. ESRGAN at 1024² takes about a minute a run here, so its
 * widest is 512² (256² in a quick run).
 */
import { readFileSync } from "node:fs";
import { createMattingPool, createVisionPool, isnetModelInstalled, ISNET_INSTALL_HINT } from "@imagegen/vision";
import sharp from "sharp";
import { printTable } from "../table.ts";

const PHOTO = readFileSync(new URL("../../packages/vision/fixtures/coffee-cup.jpg", import.meta.url));
const sized = (side: number) => sharp(PHOTO).resize(side, side, { fit: "fill" }).png().toBuffer();

interface ModelRow {
  model: string;
  first_use_ms: number;
  warm_ms_small: number;
  warm_ms_large: number;
  small: string;
  large: string;
  per_minute: number;
}

export async function runOfflineModels(settings: { quick: boolean }) {
  if (!isnetModelInstalled()) throw new Error(ISNET_INSTALL_HINT);
  const vision = createVisionPool({ timeoutMs: 600_000, maxQueued: 16 });
  const matting = createMattingPool({ timeoutMs: 600_000, maxQueued: 16 });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const runs = settings.quick ? 1 : 3;
  const burst = settings.quick ? 2 : 4;
  const models: Array<[string, (bytes: Buffer) => Promise<unknown>, [number, number]]> = [
    ["NSFW (NSFWJS MobileNetV2)", (b) => vision.analyze(b, { nsfw: true }), [512, 1024]],
    ["objects (CenterNet)", (b) => vision.analyze(b, { objects: true }), [512, 1024]],
    ["faces (TinyFaceDetector)", (b) => vision.analyze(b, { faces: true }), [512, 1024]],
    ["ESRGAN-slim ×2", (b) => vision.upscale(b, { scale: 2, format: "png" }), settings.quick ? [128, 256] : [256, 512]],
    ["ISNet background removal", (b) => matting.removeBackground(b, { format: "png" }), [512, 1024]],
  ];
  const rows: ModelRow[] = [];
  try {
    for (const [model, run, [small, large]] of models) {
      const [smallImage, largeImage] = await Promise.all([sized(small), sized(large)]);
      const time = async (bytes: Buffer) => {
        const started = performance.now();
        await run(bytes);
        return performance.now() - started;
      };
      const median = async (bytes: Buffer) => {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push(await time(bytes));
        return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
      };
      const firstUse = await time(smallImage);
      const warmSmall = await median(smallImage);
      // A quick run (a smoke test under a minute in all) leaves the larger size out.
      const warmLarge = settings.quick ? Number.NaN : await median(largeImage);
      const started = performance.now();
      await Promise.all(Array.from({ length: burst }, () => run(smallImage)));
      const perMinute = (burst / (performance.now() - started)) * 60_000;
      rows.push({
        model,
        first_use_ms: Math.round(firstUse),
        warm_ms_small: Math.round(warmSmall),
        warm_ms_large: Math.round(warmLarge),
        small: `${small}²`,
        large: `${large}²`,
        per_minute: Math.round(perMinute * 10) / 10,
      });
    }
  } finally {
    clearInterval(sampler);
    await Promise.all([vision.close(), matting.close()]);
  }
  printTable(
    "Offline image models (one worker each; warm = median of the runs; per minute = a queued burst at the smaller size)",
    ["model", "first use ms", "warm ms (small)", "warm ms (large)", "images/min"],
    rows.map((r) => [
      r.model,
      r.first_use_ms,
      `${r.warm_ms_small} @${r.small}`,
      Number.isNaN(r.warm_ms_large) ? "-" : `${r.warm_ms_large} @${r.large}`,
      r.per_minute,
    ]),
  );
  console.log(`peak RSS of the bench process with every model loaded: ${Math.round(peakRss / 2 ** 20)} MiB`);
  return { rows, peak_rss_mib: Math.round(peakRss / 2 ** 20) };
}
