import { readFileSync } from "node:fs";
import { PROVIDER_NODE_FLAGS } from "@imagegen/provider-kit/node-flags";
import { parse } from "yaml";

/**
 * Which processes `npm start` runs and the variables that place each one: a pure function of the
 * environment and the catalog's provider list, so the rules (a provider runs only with its token;
 * an internal port is picked by the system unless set) are stated once and tested without
 * starting anything.
 */

/** One process to run: its entry file and the variables holding its listening and metrics ports. */
export interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
  readonly portVariable: string;
  readonly metricsPortVariable: string;
  /** The port it must listen on, or 0: let the OS pick a free one (internal services only). */
  readonly port: number;
  /** The host it binds (for the URL its dependants dial). */
  readonly bindHost: string;
  /** Port variables of services running inside this process (the gateway's in-process front). */
  readonly innerPortVariables?: readonly string[];
  /** Node flags it runs with (a provider's, packages/provider-kit/src/node-flags.ts). */
  readonly nodeFlags?: readonly string[];
}

/**
 * One provider of config/imagegen.yaml's `providers:` as `npm start` sees it: its id (its process
 * is services/providers/<id>/src/main.ts) and its `token_env`, the variables of which one must be
 * set for it to run (its token, or a self-hosted server's base URL); none listed: it always runs.
 */
export interface ProviderEntry {
  readonly id: string;
  readonly tokenEnv: readonly string[];
}

/**
 * The provider list, read from the catalog (IMAGEGEN_CONFIG, default config/imagegen.yaml): the
 * one place a provider is added. Its `url` is where the front dials a provider run elsewhere;
 * `npm start` picks free ports instead and tells the front (frontProviderEnv).
 */
export function readProviderEntries(configPath: string): ProviderEntry[] {
  const raw = parse(readFileSync(configPath, "utf8")) as {
    providers?: Record<string, { token_env?: unknown } | null>;
  } | null;
  return Object.entries(raw?.providers ?? {}).map(([id, value]) => {
    const tokenEnv = value?.token_env ?? [];
    if (!Array.isArray(tokenEnv) || !tokenEnv.every((name) => typeof name === "string")) {
      throw new Error(`${configPath}: providers.${id}.token_env must be a list of variable names`);
    }
    return { id, tokenEnv };
  });
}

/** IMAGEGEN_PROVIDER_<ID>_… as provider-kit spells it. */
export const providerVariable = (id: string, suffix: string): string =>
  `IMAGEGEN_PROVIDER_${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_${suffix}`;

export interface ServicePlan {
  /** Started first, together: every provider that needs no token and every one whose token is set. */
  readonly providers: readonly ServiceSpec[];
  /** The front's own process, unless it runs inside the gateway's (frontInProcess). */
  readonly front: ServiceSpec;
  /**
   * IMAGEGEN_FRONT_IN_PROCESS, true unless "false": the gateway runs the front in its process and
   * calls it in memory (measured faster, README Performance); false: the front is a process of its
   * own, as in deploy/.
   */
  readonly frontInProcess: boolean;
  readonly gateway: ServiceSpec;
}

/**
 * The processes for `env`. A port variable that is set is used as is (deployments pin ports);
 * an unset internal one is 0, so two systems on one host never collide. The public port
 * (IMAGEGEN_PORT) is never picked: clients must know it.
 */
export function planServices(env: NodeJS.ProcessEnv, providerList: readonly ProviderEntry[]): ServicePlan {
  const port = (variable: string, fallback: number): number => {
    const value = env[variable];
    return value === undefined || value === "" ? fallback : Number(value);
  };
  const providerHost = env.IMAGEGEN_PROVIDER_HOST || "127.0.0.1";
  const frontInProcess = env.IMAGEGEN_FRONT_IN_PROCESS !== "false";
  const started = providerList.filter((p) => p.tokenEnv.length === 0 || p.tokenEnv.some((name) => env[name]?.trim()));
  const providers = started.map(({ id }) => ({
    name: id,
    entry: `services/providers/${id}/src/main.ts`,
    portVariable: providerVariable(id, "PORT"),
    metricsPortVariable: providerVariable(id, "METRICS_PORT"),
    port: port(providerVariable(id, "PORT"), 0),
    bindHost: providerHost,
    nodeFlags: PROVIDER_NODE_FLAGS,
  }));
  return {
    providers,
    frontInProcess,
    front: {
      name: "front",
      entry: "services/front/src/main.ts",
      portVariable: "IMAGEGEN_FRONT_PORT",
      metricsPortVariable: "IMAGEGEN_FRONT_METRICS_PORT",
      port: port("IMAGEGEN_FRONT_PORT", 0),
      bindHost: env.IMAGEGEN_FRONT_HOST || "127.0.0.1",
    },
    gateway: {
      name: "gateway",
      entry: "gateway/src/main.ts",
      portVariable: "IMAGEGEN_PORT",
      metricsPortVariable: "IMAGEGEN_METRICS_PORT",
      port: port("IMAGEGEN_PORT", 8080),
      bindHost: env.IMAGEGEN_HOST || "0.0.0.0",
      innerPortVariables: frontInProcess ? ["IMAGEGEN_FRONT_PORT"] : [],
    },
  };
}

/** The URL a dependant on this host dials to reach a service bound to `bindHost:port`. */
export function localUrl(bindHost: string, port: number): string {
  const host = ["0.0.0.0", "::", ""].includes(bindHost) ? "127.0.0.1" : bindHost;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * The front's environment additions: where each started provider listens (unless its URL is set
 * explicitly) and which providers it may call (IMAGEGEN_PROVIDERS): those started here, and those
 * the operator pointed at a URL (a provider run elsewhere). Whatever else listens on a catalog
 * port is not ours and is never called.
 */
export function frontProviderEnv(
  env: NodeJS.ProcessEnv,
  providerList: readonly ProviderEntry[],
  providers: ReadonlyArray<{ readonly spec: ServiceSpec; readonly port: number }>,
): Record<string, string> {
  const elsewhere = providerList.map((p) => p.id).filter((id) => env[providerVariable(id, "URL")]);
  const allowed = new Set([...providers.map((p) => p.spec.name), ...elsewhere]);
  const added: Record<string, string> = { IMAGEGEN_PROVIDERS: [...allowed].join(",") };
  for (const { spec, port } of providers) {
    const variable = providerVariable(spec.name, "URL");
    if (!env[variable]) added[variable] = localUrl(spec.bindHost, port);
  }
  return added;
}
