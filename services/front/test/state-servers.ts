import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

export { freePort };

/**
 * Real PostgreSQL and Redis servers for tests, each on a free loopback port under a temp dir.
 * A missing server binary FAILS the test with what to install: the backends are part of what
 * the suite proves, so skipping would hide exactly what it is there to show.
 */
export interface TestServer {
  readonly url: string;
  /**
   * Stops the server, keeps it down at least `downMs`, then starts it again on the same port
   * with the same data (PostgreSQL) or, as configured, none (Redis keeps nothing on disk);
   * resolves once it accepts connections again. For fault-injection tests.
   */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const PG_BIN = process.env.IMAGEGEN_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** Resolves once `what` accepts connections on the loopback port; throws after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on port ${port}`);
}

/**
 * Runs a PostgreSQL binary, as the postgres user when we are root (initdb refuses root).
 * Asynchronously: a restart happens under load, which must keep flowing meanwhile.
 */
function runPg(binary: string, args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? "runuser" : join(PG_BIN, binary);
  const argv = asRoot ? ["-u", "postgres", "--", join(PG_BIN, binary), ...args] : args;
  return new Promise((resolve, reject) => {
    execFile(command, argv, { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${binary} failed: ${stderr || stdout || error.message}`));
      else resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh PostgreSQL cluster (initdb + pg_ctl, fsync off); `url` names its `postgres` database. */
export async function startPostgres(): Promise<TestServer> {
  if (!existsSync(join(PG_BIN, "initdb"))) {
    throw new Error(
      `PostgreSQL server binaries not found in ${PG_BIN}: apt-get install -y postgresql (or set IMAGEGEN_PG_BIN)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "imagegen-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  await runPg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const start = () =>
    runPg("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "-w",
      "start",
    ]);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(downMs = 0) {
      // "fast": what a service manager's stop does; open sessions are terminated mid-use.
      await runPg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      await sleep(downMs);
      await start();
    },
    async stop() {
      try {
        await runPg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A redis-server without persistence, a child of this process. */
export async function startRedis(): Promise<TestServer> {
  const binary = process.env.IMAGEGEN_REDIS_SERVER ?? "redis-server";
  if (spawnSync(binary, ["--version"]).error) {
    throw new Error(`${binary} not found: apt-get install -y redis-server (or set IMAGEGEN_REDIS_SERVER)`);
  }
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    await waitForPort(port, 10_000, "redis-server");
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs = 0) {
      await stop();
      await sleep(downMs);
      await start();
    },
    stop,
  };
}
