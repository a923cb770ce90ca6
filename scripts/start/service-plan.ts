/**
 * Which processes `npm start` runs and the variables that place each one: a pure function of the
 * environment, so the rules (a provider runs only with its token; an internal port is picked by
 * the system unless set) are stated once and tested without starting anything.
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
}

// Each real provider runs only when one of its env vars (its token, or its base URL for a
// self-hosted server) is set. A new provider joins by adding a line here and to config/imagegen.yaml.
export const PROVIDERS: ReadonlyArray<{ readonly id: string; readonly env: readonly string[] }> = [
  { id: "replicate", env: ["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"] },
  { id: "bfl", env: ["BFL_API_KEY"] },
  { id: "openai", env: ["OPENAI_API_KEY"] },
  { id: "stability", env: ["STABILITY_API_KEY"] },
  { id: "openrouter", env: ["OPENROUTER_API_KEY"] },
  { id: "automatic1111", env: ["A1111_BASE_URL"] },
];

/** IMAGEGEN_PROVIDER_<ID>_… as provider-kit spells it. */
export const providerVariable = (id: string, suffix: string): string => `IMAGEGEN_PROVIDER_${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_${suffix}`;

export interface ServicePlan {
  /** Started first, together: the local renderer and every provider with a token. */
  readonly providers: readonly ServiceSpec[];
  readonly front: ServiceSpec;
  readonly gateway: ServiceSpec;
}

/**
 * The processes for `env`. A port variable that is set is used as is (deployments pin ports);
 * an unset internal one is 0, so two systems on one host never collide. The public port
 * (IMAGEGEN_PORT) is never picked: clients must know it.
 */
export function planServices(env: NodeJS.ProcessEnv): ServicePlan {
  const port = (variable: string, fallback: number): number => {
    const value = env[variable];
    return value === undefined || value === "" ? fallback : Number(value);
  };
  const providerHost = env.IMAGEGEN_PROVIDER_HOST || "127.0.0.1";
  const started = [{ id: "local" }, ...PROVIDERS.filter((p) => p.env.some((name) => env[name]))];
  const providers = started.map(({ id }) => ({
    name: id,
    entry: `services/providers/${id}/src/main.ts`,
    portVariable: providerVariable(id, "PORT"),
    metricsPortVariable: providerVariable(id, "METRICS_PORT"),
    port: port(providerVariable(id, "PORT"), 0),
    bindHost: providerHost,
  }));
  return {
    providers,
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
export function frontProviderEnv(env: NodeJS.ProcessEnv, providers: ReadonlyArray<{ readonly spec: ServiceSpec; readonly port: number }>): Record<string, string> {
  const elsewhere = ["local", ...PROVIDERS.map((p) => p.id)].filter((id) => env[providerVariable(id, "URL")]);
  const allowed = new Set([...providers.map((p) => p.spec.name), ...elsewhere]);
  const added: Record<string, string> = { IMAGEGEN_PROVIDERS: [...allowed].join(",") };
  for (const { spec, port } of providers) {
    const variable = providerVariable(spec.name, "URL");
    if (!env[variable]) added[variable] = localUrl(spec.bindHost, port);
  }
  return added;
}
