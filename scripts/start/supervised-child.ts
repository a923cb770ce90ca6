import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { DEFAULT_RESTART_POLICY, RestartTracker, type RestartPolicy } from "./restart-policy.ts";
import type { ServiceSpec } from "./service-plan.ts";

const LEVELS: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** What a supervised child reports to the system around it. */
export interface ChildHooks {
  /** One line of output, to show as is. */
  print(line: string): void;
  /** The child cannot be kept running (crash loop, port taken): `reason` is the system's last line. */
  fatal(reason: string): void;
}

/**
 * One service process kept running: restarted with backoff when it exits on its own (see
 * restart-policy.ts), always on the port it first bound, so the URLs its dependants were given
 * stay true. Its bound port comes from its own `{"msg":"listening","port":N}` log line, which
 * lets it listen on port 0 and the OS pick a free port.
 */
export class SupervisedChild {
  /** Resolves with the bound port the first time the child listens. */
  readonly listening: Promise<number>;
  private resolveListening!: (port: number) => void;
  private process?: ChildProcess;
  private boundPort?: number;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private readonly tracker: RestartTracker;
  private readonly prefix: string;
  private readonly userLevel: number;

  constructor(
    readonly spec: ServiceSpec,
    private readonly env: NodeJS.ProcessEnv,
    private readonly root: string,
    private readonly hooks: ChildHooks,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    this.listening = new Promise((resolve) => (this.resolveListening = resolve));
    this.tracker = new RestartTracker(policy);
    this.prefix = `[${spec.name.padEnd(7)}] `;
    this.userLevel = LEVELS[env.LOG_LEVEL ?? "info"] ?? LEVELS.info!;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  start(): void {
    const port = this.boundPort ?? this.spec.port;
    // The listening line is an info line: a child logs at info at least, and lines under the
    // operator's LOG_LEVEL are dropped here instead.
    const level = this.userLevel > LEVELS.info! ? "info" : (this.env.LOG_LEVEL ?? "info");
    const args = [...(this.spec.nodeFlags ?? []), "--import", "tsx", `${this.root}/${this.spec.entry}`];
    const child = spawn(process.execPath, args, {
      cwd: this.root,
      env: { ...this.env, [this.spec.portVariable]: String(port), LOG_LEVEL: level },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops
      // the children in order (gateway first) instead of all at once.
      detached: true,
    });
    this.process = child;
    const startedAt = Date.now();
    this.hooks.print(`${this.prefix}started, pid ${child.pid}${port ? `, port ${port}` : ""}`);
    let heardListening = false;
    // stderr before the first listening line is held: a start that fails on a taken port is
    // summed up in one line instead of a stack trace; any other failure is shown in full.
    const heldErrors: string[] = [];
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const fields = parseJsonLine(line);
      if (fields?.msg === "listening" && typeof fields.port === "number" && !heardListening) {
        heardListening = true;
        this.boundPort = fields.port;
        this.resolveListening(fields.port);
      }
      if (fields && typeof fields.level === "string" && (LEVELS[fields.level] ?? 0) < this.userLevel) return;
      this.hooks.print(this.prefix + line);
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (heardListening) this.hooks.print(this.prefix + line);
      else heldErrors.push(line);
    });
    child.on("exit", (code, signal) => {
      const portInUse = heldErrors.find((line) => line.includes("EADDRINUSE"));
      if (!portInUse) for (const line of heldErrors) this.hooks.print(this.prefix + line);
      if (this.stopping) return;
      if (portInUse) return this.hooks.fatal(this.portInUseLine(portInUse, port));
      const decision = this.tracker.recordExit(Date.now());
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const ranFor = `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
      const windowS = this.policy.windowMs / 1000;
      if (!decision.restart) {
        return this.hooks.fatal(
          `imagegen: stopping: ${this.spec.name} exited ${decision.recentExits} times within ${windowS} s (last: ${how} after ${ranFor}), a crash loop; see its log above`,
        );
      }
      this.hooks.print(
        `${this.prefix}exited unexpectedly (${how} after ${ranFor}); restarting in ${decision.delayMs / 1000} s (${decision.recentExits} of ${this.policy.maxExits} exits allowed within ${windowS} s)`,
      );
      this.restartTimer = setTimeout(() => this.start(), decision.delayMs);
    });
  }

  /** Stops the child (SIGTERM, SIGKILL after `graceMs`) and never restarts it again. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        this.hooks.print(`${this.prefix}stopped (${signal ? `signal ${signal}` : `code ${code}`})`);
        resolve();
      });
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
    });
  }

  /** Signals the child at once, without waiting (for a supervisor that is exiting anyway). */
  signalNow(signal: NodeJS.Signals): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
  }

  private portInUseLine(errorLine: string, configuredPort: number): string {
    const port = Number(/:(\d+)\s*$/.exec(errorLine)?.[1] ?? configuredPort);
    // The variable whose value is the taken port, else the process's own port variable.
    const others = [this.spec.metricsPortVariable, ...(this.spec.innerPortVariables ?? [])];
    const variable = others.find((name) => Number(this.env[name] ?? NaN) === port) ?? this.spec.portVariable;
    return `${this.spec.name}: port ${port} is in use; set ${variable} to a free port`;
  }
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
