import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** A running gateway + front + local provider on free loopback ports, for one test file. */
export interface RunningSystem {
  readonly baseUrl: string;
  readonly port: number;
  readonly adminKey: string;
  readonly dataDir: string;
  /** Everything the processes printed, for assertions about logs. */
  readonly output: () => string;
  /** Kills one process ("local", "front" or "gateway") with `signal` and waits for it to exit. */
  kill(name: ServiceName, signal: NodeJS.Signals): Promise<void>;
  /** Starts a killed process again with the same environment. */
  restart(name: ServiceName): void;
  stop(): Promise<void>;
}

export type ServiceName = "local" | "front" | "gateway";

const ENTRIES: Record<ServiceName, string> = {
  local: "services/providers/local/src/main.ts",
  front: "services/front/src/main.ts",
  gateway: "gateway/src/main.ts",
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the three processes the way `npm start` does, with a fresh data dir. */
export async function startSystem(extraEnv: Record<string, string> = {}): Promise<RunningSystem> {
  const [port, frontPort, localPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), "imagegen-test-"));
  const adminKey = "test-admin-key-0123456789";
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    IMAGEGEN_PORT: String(port),
    IMAGEGEN_HOST: "127.0.0.1",
    IMAGEGEN_FRONT_PORT: String(frontPort),
    IMAGEGEN_FRONT_URL: `http://127.0.0.1:${frontPort}`,
    IMAGEGEN_PROVIDER_LOCAL_PORT: String(localPort),
    IMAGEGEN_PROVIDER_LOCAL_URL: `http://127.0.0.1:${localPort}`,
    IMAGEGEN_PUBLIC_URL: `http://127.0.0.1:${port}`,
    IMAGEGEN_DATA_DIR: dataDir,
    IMAGEGEN_BOOTSTRAP_KEY: adminKey,
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  let output = "";
  const processes = new Map<ServiceName, ChildProcess>();
  const launch = (name: ServiceName): void => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, ENTRIES[name])], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    processes.set(name, child);
  };
  for (const name of Object.keys(ENTRIES) as ServiceName[]) launch(name);
  const children = () => [...processes.values()];
  const baseUrl = `http://127.0.0.1:${port}`;
  const system: RunningSystem = {
    baseUrl,
    port,
    adminKey,
    dataDir,
    output: () => output,
    async kill(name, signal) {
      const child = processes.get(name);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill(signal);
      });
    },
    restart: launch,
    async stop() {
      await Promise.all(
        children().map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once("exit", () => resolve());
              c.kill("SIGTERM");
              setTimeout(() => c.kill("SIGKILL"), 10_000).unref();
            }),
        ),
      );
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ready) return system;
    if (children().some((c) => c.exitCode !== null)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await system.stop();
  throw new Error(`system did not become ready:\n${output}`);
}
