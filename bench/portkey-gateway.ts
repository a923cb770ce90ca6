import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../gateway/test/start-system.ts";

const DIR = join(import.meta.dirname, "portkey");
const ENTRY = join(DIR, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");

/**
 * Portkey's open-source gateway (the version pinned in bench/portkey/package.json) in its own
 * process on a free loopback port, as its `npx @portkey-ai/gateway` would run it: its Node build,
 * `--headless` (no UI and no log-streaming middleware). Installed into bench/portkey on first use
 * so that neither the root install nor CI ever fetches it.
 */
export async function startPortkey(): Promise<{
  origin: string;
  version: string;
  child: ChildProcess;
  stop: () => void;
}> {
  if (!existsSync(ENTRY)) {
    console.log("bench: installing Portkey's gateway into bench/portkey (first run only)");
    execFileSync("npm", ["install", "--prefix", DIR, "--no-audit", "--no-fund"], { stdio: "inherit" });
  }
  const version = (
    JSON.parse(readFileSync(join(DIR, "node_modules", "@portkey-ai", "gateway", "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const port = await freePort();
  const child = spawn(process.execPath, [ENTRY, `--port=${port}`, "--headless"], {
    cwd: DIR,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const killOnExit = (): void => void child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  // It prints a spinner for a second, then this line once it listens.
  await new Promise<void>((resolve, reject) => {
    let printed = "";
    const timer = setTimeout(() => reject(new Error(`Portkey did not start in 30 s:\n${printed}`)), 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      printed += d.toString();
      if (printed.includes("Ready for connections")) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve();
      }
    });
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`Portkey exited with ${code}:\n${printed}`))));
  });
  return { origin: `http://127.0.0.1:${port}`, version, child, stop: () => child.kill("SIGTERM") };
}
