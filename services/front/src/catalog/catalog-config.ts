import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** One way to serve a public model: a provider and that provider's own model id. */
export interface RouteConfig {
  readonly provider: string;
  readonly model: string;
}

export interface ModelConfig {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly releaseDate: string;
  readonly type: string;
  readonly usdPerImage: number;
  readonly credits: number;
  readonly supportedSchedulers: readonly string[];
  /** In fallback order. */
  readonly routes: readonly RouteConfig[];
}

export interface ProviderConfig {
  readonly id: string;
  readonly url: string;
  /**
   * Set when the provider's process was not started by this system (IMAGEGEN_PROVIDERS does not
   * list it): it is never called, whatever answers on its URL, and this says why.
   */
  readonly notStarted?: string;
}

/** The operator's model (and optional provider pin) for a named use case, e.g. "text2image". */
export interface UseCaseConfig {
  readonly name: string;
  readonly model: string;
  readonly provider: string;
}

export interface CatalogConfig {
  readonly defaultModels: readonly string[];
  /** From the `use_cases` section: compat surfaces (seed 002) pick their model here. */
  readonly useCases: readonly UseCaseConfig[];
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly models: ReadonlyMap<string, ModelConfig>;
}

/**
 * Reads config/imagegen.yaml (or IMAGEGEN_CONFIG). A malformed file stops the start with a
 * message naming the entry, rather than serving a half-understood catalog.
 */
export function loadCatalogConfig(path: string, env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  const raw = parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new Error(`${path}: ${what}`);
  };
  const providers = new Map<string, ProviderConfig>();
  // `npm start` lists the providers it started; unset (deployments), every provider is tried.
  const started = env.IMAGEGEN_PROVIDERS === undefined ? undefined : new Set(env.IMAGEGEN_PROVIDERS.split(",").map((id) => id.trim()));
  for (const [id, value] of Object.entries((raw.providers ?? {}) as Record<string, { url?: string }>)) {
    const override = env[`IMAGEGEN_PROVIDER_${id.toUpperCase()}_URL`];
    const url = override ?? value?.url ?? fail(`provider ${id} has no url`);
    providers.set(id, started && !started.has(id) ? { id, url, notStarted: "not started (token not set)" } : { id, url });
  }
  const models = new Map<string, ModelConfig>();
  for (const entry of (raw.models ?? []) as Array<Record<string, unknown>>) {
    const id = typeof entry.id === "string" ? entry.id : fail("a model has no id");
    const routes = ((entry.routes ?? []) as Array<Record<string, unknown>>).map((r) => {
      const provider = String(r.provider ?? fail(`model ${id}: a route has no provider`));
      if (!providers.has(provider)) fail(`model ${id}: unknown provider ${provider}`);
      return { provider, model: String(r.model ?? fail(`model ${id}: a route has no model`)) };
    });
    if (routes.length === 0) fail(`model ${id} has no routes`);
    const pricing = (entry.pricing ?? {}) as Record<string, unknown>;
    models.set(id, {
      id,
      name: String(entry.name ?? id),
      description: String(entry.description ?? ""),
      version: String(entry.version ?? ""),
      releaseDate: String(entry.release_date ?? ""),
      type: String(entry.type ?? "text-to-image"),
      usdPerImage: Number(pricing.usd_per_image ?? 0),
      credits: Number(pricing.credits ?? 0),
      supportedSchedulers: (entry.supported_schedulers as string[] | undefined) ?? [],
      routes,
    });
  }
  const defaultModels = ((raw.default_models ?? []) as string[]).filter((m) => models.has(m) || fail(`unknown default model ${m}`));
  const useCases = Object.entries((raw.use_cases ?? {}) as Record<string, { model?: string; provider?: string } | null>).map(
    ([name, value]) => {
      const model = String(value?.model ?? "");
      const provider = String(value?.provider ?? "");
      if (model && !models.has(model)) fail(`use case ${name}: unknown model ${model}`);
      if (provider && !providers.has(provider)) fail(`use case ${name}: unknown provider ${provider}`);
      return { name, model, provider };
    },
  );
  return { defaultModels, useCases, providers, models };
}
