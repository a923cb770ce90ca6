import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { freePort } from "../../services/front/test/free-port.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** `npm start` (scripts/start.ts) running as one child process, as an operator runs it. */
export interface StartScript {
  readonly baseUrl: string;
  readonly port: number;
  readonly key: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** The pid of a service as last started ("[front  ] started, pid N"). */
  pid(name: string): number | undefined;
  /** Resolves with its exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** Waits until a line matching `pattern` was printed (or throws after `timeoutMs` with the output). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, as Ctrl-C would; waits for the exit, removes the data dir. */
  stop(): Promise<number | null>;
}

/**
 * Runs scripts/start.ts with a fresh data dir, IMAGEGEN_PORT on a free loopback port and a
 * bootstrap key, and nothing else of this machine's imagegen or provider settings (so no real
 * provider starts). `env` adds or overrides variables; the caller waits for what it needs.
 */
export async function runStartScript(env: Record<string, string> = {}): Promise<StartScript> {
  const port = Number(env.IMAGEGEN_PORT ?? (await freePort()));
  const dataDir = mkdtempSync(join(tmpdir(), "imagegen-start-"));
  const key = env.IMAGEGEN_BOOTSTRAP_KEY ?? `start-key-${port}-0123456789`;
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(IMAGEGEN_|OTEL_|LOG_LEVEL$|DATABASE_URL$|REDIS_URL$)|_API_(KEY|TOKEN)$|_BASE_URL$/.test(name),
    ),
  );
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/start.ts")], {
    cwd: ROOT,
    env: {
      ...inherited,
      IMAGEGEN_HOST: "127.0.0.1",
      IMAGEGEN_PORT: String(port),
      IMAGEGEN_DATA_DIR: dataDir,
      IMAGEGEN_BOOTSTRAP_KEY: key,
      IMAGEGEN_VISION: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, like a shell job: a test can send it a terminal's Ctrl-C.
    detached: true,
  });
  let output = "";
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => {
    for (const wake of waiters) wake();
  });
  let done = false;
  const script: StartScript = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    key,
    dataDir,
    process: child,
    output: () => output,
    pid: (name) => {
      const matches = [...output.matchAll(new RegExp(`^\\[${name}\\s*\\] started, pid (\\d+)`, "gm"))];
      return matches.length ? Number(matches.at(-1)![1]) : undefined;
    },
    exited,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = output.match(pattern);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${output}`);
        }
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, 200);
          waiters.add(wake);
        });
      }
    },
    async stop() {
      if (!done && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 30_000).unref();
      }
      done = true;
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  return script;
}

/** A text-to-image call through REST with the local renderer; resolves with status and body. */
export async function generate(
  system: StartScript,
  key = system.key,
  timeoutMs = 20_000,
): Promise<{ status: number; json: any; retryAfter: string | null }> {
  const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ prompt: "a lighthouse at dusk", model: "local", parameters: { width: 64, height: 64 } }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return {
    status: res.status,
    json: await res.json().catch(() => undefined),
    retryAfter: res.headers.get("retry-after"),
  };
}
