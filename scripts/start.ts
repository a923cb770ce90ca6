/**
 * `npm start`: the whole system on one machine, each service its own process (the same topology
 * as deploy/, without Docker): local provider, every provider with a token, front, gateway.
 * Logs are prefixed with the process name; Ctrl-C or SIGTERM stops them all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(import.meta.dirname, "..");
if (existsSync(join(root, ".env"))) process.loadEnvFile(join(root, ".env"));

interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
}

// Each real provider runs only when one of its env vars (its token, or its base URL for a
// self-hosted server) is set. A new provider joins by adding a line here and to config/imagegen.yaml.
const PROVIDERS: ReadonlyArray<{ readonly id: string; readonly env: readonly string[] }> = [
  { id: "replicate", env: ["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"] },
  { id: "bfl", env: ["BFL_API_KEY"] },
  { id: "openai", env: ["OPENAI_API_KEY"] },
  { id: "stability", env: ["STABILITY_API_KEY"] },
  { id: "openrouter", env: ["OPENROUTER_API_KEY"] },
  { id: "automatic1111", env: ["A1111_BASE_URL"] },
];

const services: ServiceSpec[] = [
  { name: "local", entry: "services/providers/local/src/main.ts" },
  ...PROVIDERS.filter((p) => p.env.some((name) => process.env[name])).map((p) => ({
    name: p.id,
    entry: `services/providers/${p.id}/src/main.ts`,
  })),
  { name: "front", entry: "services/front/src/main.ts" },
  { name: "gateway", entry: "gateway/src/main.ts" },
];

const children = new Map<string, ChildProcess>();
let stopping = false;

function startService(spec: ServiceSpec): void {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, spec.entry)], {
    cwd: root,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.set(spec.name, child);
  const prefix = `[${spec.name.padEnd(7)}] `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => process.stdout.write(prefix + line + "\n"));
  }
  child.on("exit", (code, signal) => {
    children.delete(spec.name);
    if (!stopping) {
      process.stdout.write(`${prefix}exited (${signal ?? code}); stopping everything\n`);
      void stopAll(1);
    } else if (children.size === 0) {
      process.exit(exitCode);
    }
  });
}

let exitCode = 0;
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  // The gateway first, so no new request reaches a stopping front.
  for (const name of ["gateway", "front", ...children.keys()]) children.get(name)?.kill("SIGTERM");
  setTimeout(() => {
    for (const child of children.values()) child.kill("SIGKILL");
    process.exit(exitCode || 1);
  }, 20_000).unref();
  if (children.size === 0) process.exit(exitCode);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
for (const spec of services) startService(spec);
process.stdout.write(`imagegen: starting on http://localhost:${process.env.IMAGEGEN_PORT ?? 8080}\n`);
