/**
 * `npm start`: the whole system on one machine: the providers of config/imagegen.yaml
 * (IMAGEGEN_CONFIG) that need no token and those whose `token_env` is set, each its own process,
 * then the gateway with the front in its process, pointed at them (IMAGEGEN_FRONT_IN_PROCESS=false:
 * the front as a process of its own between them, the topology of deploy/ without Docker).
 * Internal ports are picked by the OS unless set (see start/service-plan.ts), so two systems share
 * a host; a child that dies is restarted (start/supervised-child.ts) and only a crash loop or a
 * taken port stops everything.
 * Logs are prefixed with the process name; Ctrl-C or SIGTERM stops them all, gateway first.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  frontProviderEnv,
  localUrl,
  planServices,
  readProviderEntries,
  type ProviderEntry,
  type ServiceSpec,
} from "./start/service-plan.ts";
import { SupervisedChild } from "./start/supervised-child.ts";

const root = join(import.meta.dirname, "..");
if (existsSync(join(root, ".env"))) process.loadEnvFile(join(root, ".env"));

/** How long one stopping child may drain before it is killed (its own drain bound is 10-15 s). */
const STOP_GRACE_MS = 20_000;

const print = (line: string): void => void process.stdout.write(`${line}\n`);
// The front reads the same file (a relative IMAGEGEN_CONFIG is relative to the root, where it runs).
const providerList = readProviderListOrExit(resolve(root, process.env.IMAGEGEN_CONFIG ?? "config/imagegen.yaml"));
const plan = planServices(process.env, providerList);
const running: SupervisedChild[] = [];
let stopping = false;

/** The catalog's provider list; an unreadable or malformed catalog stops the start in one line. */
function readProviderListOrExit(path: string): ProviderEntry[] {
  try {
    return readProviderEntries(path);
  } catch (error) {
    print(`imagegen: cannot start: ${error instanceof Error ? error.message : String(error)} (IMAGEGEN_CONFIG)`);
    process.exit(1);
  }
}

const hooks = { print, fatal: (reason: string) => void stopAll(1, reason) };
const launch = (spec: ServiceSpec, env: NodeJS.ProcessEnv): SupervisedChild => {
  const child = new SupervisedChild(spec, env, root, hooks);
  running.push(child);
  // A dependency that came up while the system was already stopping starts nothing more.
  if (!stopping) child.start();
  return child;
};

/** Stops the gateway first (no new request reaches a stopping front), then the front, then providers. */
async function stopAll(code: number, lastLine?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const stage of ["gateway", "front", undefined]) {
    const group = running.filter((c) => (stage ? c.spec.name === stage : !["gateway", "front"].includes(c.spec.name)));
    await Promise.all(group.map((c) => c.stop(STOP_GRACE_MS)));
  }
  if (lastLine) print(lastLine);
  process.exit(code);
}
process.on("SIGINT", () => {
  // A second Ctrl-C does not wait for drains.
  if (stopping) {
    for (const child of running) child.signalNow("SIGKILL");
    process.exit(130);
  }
  void stopAll(0);
});
process.on("SIGTERM", () => void stopAll(0));
// The terminal went away: the children, in their own process groups, would not hear of it.
process.on("SIGHUP", () => void stopAll(0));
// However the supervisor ends (an exception included), no child outlives it unasked.
process.on("exit", () => {
  for (const child of running) child.signalNow("SIGTERM");
});

const providers = plan.providers.map((spec) => launch(spec, process.env));
const providerPorts = await Promise.all(providers.map((c) => c.listening));
const frontEnv = {
  ...process.env,
  ...frontProviderEnv(
    process.env,
    providerList,
    providers.map((c, i) => ({ spec: c.spec, port: providerPorts[i]! })),
  ),
};
let gatewayEnv: NodeJS.ProcessEnv;
if (plan.frontInProcess) {
  gatewayEnv = { ...frontEnv, IMAGEGEN_FRONT_IN_PROCESS: "true" };
} else {
  const frontPort = await launch(plan.front, frontEnv).listening;
  gatewayEnv = {
    ...process.env,
    IMAGEGEN_FRONT_IN_PROCESS: "false",
    IMAGEGEN_FRONT_URL: process.env.IMAGEGEN_FRONT_URL || localUrl(plan.front.bindHost, frontPort),
  };
}
const gateway = launch(plan.gateway, gatewayEnv);
print(`imagegen: serving on http://localhost:${await gateway.listening}`);
