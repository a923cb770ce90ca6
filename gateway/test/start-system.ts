import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROVIDER_NODE_FLAGS } from "@imagegen/provider-kit/node-flags";
import { freePort } from "../../services/front/test/free-port.ts";

export { freePort };

const ROOT = join(import.meta.dirname, "..", "..");

/** A running gateway + front + local provider on free loopback ports, for one test file. */
export interface RunningSystem {
  readonly baseUrl: string;
  readonly port: number;
  readonly adminKey: string;
  readonly dataDir: string;
  /** Everything the processes printed, for assertions about logs. */
  readonly output: () => string;
  /**
   * Kills one process ("local", "front" or "gateway") with `signal` and waits for it to exit;
   * resolves with its exit code (null when the signal itself ended it or it was not running).
   */
  kill(name: ServiceName, signal: NodeJS.Signals): Promise<number | null>;
  /** Starts a killed process again with the same environment. */
  restart(name: ServiceName): void;
  /** The OS process id of one process as last started (to tell a survivor from a restart). */
  pid(name: ServiceName): number | undefined;
  stop(): Promise<void>;
}

/** "local", "front", "gateway", or a provider id started through `StartOptions.providers`. */
export type ServiceName = "local" | "front" | "gateway" | (string & {});

/** Extra processes for one system test. */
export interface StartOptions {
  /**
   * Real provider services to start too (services/providers/<id>/src/main.ts), each on a free
   * port the front is pointed at; their env (token, <ID>_BASE_URL to a fake) comes from `extraEnv`.
   */
  readonly providers?: readonly string[];
  /** The front's port, chosen by the caller so other replicas' gateways can list it too. */
  readonly frontPort?: number;
  /** A data dir shared with other replicas (images, signing key); the caller removes it. */
  readonly dataDir?: string;
  /** Run the front inside the gateway's process (IMAGEGEN_FRONT_IN_PROCESS=true, npm start's default). */
  readonly frontInProcess?: boolean;
}

const ENTRIES: Record<string, string> = {
  local: "services/providers/local/src/main.ts",
  front: "services/front/src/main.ts",
  gateway: "gateway/src/main.ts",
};

/** Starts the three processes the way `npm start` does, with a fresh data dir. */
export async function startSystem(
  extraEnv: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningSystem> {
  const [port, frontPort, localPort] = [await freePort(), options.frontPort ?? (await freePort()), await freePort()];
  const providerPorts = new Map<string, number>();
  for (const id of options.providers ?? []) providerPorts.set(id, await freePort());
  const entries: Record<string, string> = { ...ENTRIES };
  const providerEnv: Record<string, string> = {};
  for (const [id, providerPort] of providerPorts) {
    entries[id] = `services/providers/${id}/src/main.ts`;
    providerEnv[`IMAGEGEN_PROVIDER_${id.toUpperCase()}_PORT`] = String(providerPort);
    providerEnv[`IMAGEGEN_PROVIDER_${id.toUpperCase()}_URL`] = `http://127.0.0.1:${providerPort}`;
  }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "imagegen-test-"));
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
    // The offline image models cost seconds and ~1 GB per front on first use; vision.test.ts turns them on.
    IMAGEGEN_VISION: "off",
    ...providerEnv,
    ...extraEnv,
    ...(options.frontInProcess ? { IMAGEGEN_FRONT_IN_PROCESS: "true" } : {}),
  };
  let output = "";
  const processes = new Map<ServiceName, ChildProcess>();
  const launch = (name: ServiceName): void => {
    // BENCH_CPU_PROF_DIR: each process writes a V8 CPU profile there when it exits (bench profiling).
    const profile = process.env.BENCH_CPU_PROF_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
      : [];
    const flags = [...profile, ...(name === "front" || name === "gateway" ? [] : PROVIDER_NODE_FLAGS)];
    const child = spawn(process.execPath, [...flags, "--import", "tsx", join(ROOT, entries[name]!)], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    processes.set(name, child);
  };
  // Extra providers first, listening before the front's first look at its providers.
  for (const id of providerPorts.keys()) launch(id);
  await Promise.all([...providerPorts.values()].map((p) => waitForPort(p, 30_000)));
  for (const name of Object.keys(ENTRIES) as ServiceName[])
    if (!(name === "front" && options.frontInProcess)) launch(name);
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
      if (!child || child.exitCode !== null || child.signalCode !== null) return null;
      return new Promise<number | null>((resolve) => {
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      });
    },
    restart: launch,
    pid: (name) => processes.get(name)?.pid,
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
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    // The gateway is ready as soon as any front of IMAGEGEN_FRONT_URL answers, which for a second
    // replica may be the first one's: this system is started only once its own front and
    // provider listen too (on a loaded machine the front can take seconds longer than the gateway).
    if (ready && (await portOpen(frontPort)) && (await portOpen(localPort))) return system;
    if (children().some((c) => c.exitCode !== null)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await system.stop();
  throw new Error(`system did not become ready:\n${output}`);
}

// Resolves once something accepts TCP connections on the loopback port (or gives up silently:
// readiness below then reports what the processes printed).
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}
