/**
 * Timings for README's "Offline image models": ISNet session load, first and warm background
 * removal at 512² and 1024² (decode, resize to 1024², inference, matte resize, PNG encode), and
 * the process's peak resident memory. Runs in this process, not the worker, to time the work alone.
 * Run: node --import tsx packages/vision/scripts/measure-isnet.ts
 */
import sharp from "sharp";
import { ISNET_INSTALL_HINT, isnetModelInstalled } from "../src/matting/isnet-model-file.ts";
import { removeBackgroundWithIsnet } from "../src/matting/remove-background.ts";

if (!isnetModelInstalled()) throw new Error(ISNET_INSTALL_HINT);
const cup = new URL("../fixtures/coffee-cup.jpg", import.meta.url).pathname;
const photo = (side: number) => sharp(cup).resize(side, side, { fit: "fill" }).png().toBuffer();
const time = async (bytes: Buffer) => {
  const started = performance.now();
  await removeBackgroundWithIsnet(bytes, { format: "png" });
  return Math.round(performance.now() - started);
};

const [p512, p1024] = await Promise.all([photo(512), photo(1024)]);
console.log(`first use (session load + one 512² run): ${await time(p512)} ms`);
for (const [name, bytes] of [
  ["512²", p512],
  ["1024²", p1024],
] as const) {
  const runs = [await time(bytes), await time(bytes), await time(bytes)];
  console.log(`warm ${name}: ${runs.join(", ")} ms`);
}
console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
