import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { freePort } from "../gateway/test/start-system.ts";

/** A helper server in its own process (so load generation and serving do not share a thread). */
export async function spawnServer(
  file: string,
  env: Record<string, string> = {},
): Promise<{ origin: string; child: ChildProcess; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, file)], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // A bench that dies must not leave its helper behind (holding a port and the output pipe).
  const killOnExit = (): void => void child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, child, stop: () => child.kill("SIGTERM") };
}
