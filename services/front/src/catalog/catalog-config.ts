import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** One way to serve a public model: a provider and that provider's own model id. */
export interface RouteConfig {
  readonly provider: string;
  readonly model: string;
  /** What one image served by this route costs: the route's own `pricing`, else the model's. */
  readonly usdPerImage: number;
  readonly credits: number;
  /**
   * Only on an offline stand-in: the operations ("text-to-image", "upscale", ...) it performs for
   * this model — what the real model does, never everything the renderer can (default: `type`).
   */
  readonly operations?: readonly string[];
}

/**
 * The offline renderer's provider id. It renders procedural images (no AI model), so it may
 * serve a real model's id only as that model's `offline_stand_in`, never as a fallback route.
 */
export const OFFLINE_PROVIDER = "local";

/** The public operation names a catalog entry may use. */
const OPERATIONS = ["text-to-image", "image-to-image", "inpainting", "variation", "upscale", "remove-background"];

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
  /** In fallback order; every route serves this same model (see DESIGN.md "Routing rule"). */
  readonly routes: readonly RouteConfig[];
  /**
   * The offline renderer that serves this model id only while NONE of its routes' providers is
   * configured (the offline demo); never after a configured provider fails. Priced as itself
   * (free unless its entry says otherwise), and the catalog and the generation say so.
   */
  readonly offlineStandIn?: RouteConfig;
}

export interface ProviderConfig {
  readonly id: string;
  readonly url: string;
  /**
   * Set when the provider's process was not started by this system (IMAGEGEN_PROVIDERS does not
   * list it): it is never called, whatever answers on its URL, and this says why.
   */
  readonly notStarted?: string;
  /** True when one of the provider's `token_env` variables is set in the front's environment. */
  readonly tokenSet: boolean;
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
  const started =
    env.IMAGEGEN_PROVIDERS === undefined
      ? undefined
      : new Set(env.IMAGEGEN_PROVIDERS.split(",").map((id) => id.trim()));
  for (const [id, value] of Object.entries(
    (raw.providers ?? {}) as Record<string, { url?: string; token_env?: string[] }>,
  )) {
    const override = env[`IMAGEGEN_PROVIDER_${id.toUpperCase()}_URL`];
    const url = override ?? value?.url ?? fail(`provider ${id} has no url`);
    const tokenSet = (value?.token_env ?? []).some((name) => !!env[name]?.trim());
    providers.set(
      id,
      started && !started.has(id)
        ? { id, url, tokenSet, notStarted: "not started (token not set)" }
        : { id, url, tokenSet },
    );
  }
  const models = new Map<string, ModelConfig>();
  for (const entry of (raw.models ?? []) as Array<Record<string, unknown>>) {
    const id = typeof entry.id === "string" ? entry.id : fail("a model has no id");
    const pricing = (entry.pricing ?? {}) as Record<string, unknown>;
    const modelPrice = { usdPerImage: Number(pricing.usd_per_image ?? 0), credits: Number(pricing.credits ?? 0) };
    const toRoute = (r: Record<string, unknown>, price: { usdPerImage: number; credits: number }): RouteConfig => {
      const provider = String(r.provider ?? fail(`model ${id}: a route has no provider`));
      if (!providers.has(provider)) fail(`model ${id}: unknown provider ${provider}`);
      const own = r.pricing as Record<string, unknown> | undefined;
      return {
        provider,
        model: String(r.model ?? fail(`model ${id}: a route has no model`)),
        usdPerImage: own ? Number(own.usd_per_image ?? 0) : price.usdPerImage,
        credits: own ? Number(own.credits ?? 0) : price.credits,
      };
    };
    const routes = ((entry.routes ?? []) as Array<Record<string, unknown>>).map((r) => toRoute(r, modelPrice));
    if (routes.length === 0) fail(`model ${id} has no routes`);
    // The offline renderer is not the model another route serves: mixing them is a silent downgrade.
    if (routes.length > 1 && routes.some((r) => r.provider === OFFLINE_PROVIDER)) {
      fail(
        `model ${id}: provider ${OFFLINE_PROVIDER} may not be a fallback route of a model served elsewhere; use offline_stand_in`,
      );
    }
    const standIn = entry.offline_stand_in as Record<string, unknown> | undefined;
    // A stand-in is not the model: it costs what the offline renderer costs (free by default).
    const type = String(entry.type ?? "text-to-image");
    const offlineStandIn = standIn
      ? {
          ...toRoute(standIn, { usdPerImage: 0, credits: 0 }),
          operations: (standIn.operations as string[] | undefined) ?? [type],
        }
      : undefined;
    if (offlineStandIn && offlineStandIn.provider !== OFFLINE_PROVIDER)
      fail(`model ${id}: offline_stand_in must be provider ${OFFLINE_PROVIDER}`);
    for (const op of offlineStandIn?.operations ?? [])
      if (!OPERATIONS.includes(op)) fail(`model ${id}: unknown operation ${op} (one of ${OPERATIONS.join(", ")})`);
    models.set(id, {
      id,
      name: String(entry.name ?? id),
      description: String(entry.description ?? ""),
      version: String(entry.version ?? ""),
      releaseDate: String(entry.release_date ?? ""),
      type,
      usdPerImage: modelPrice.usdPerImage,
      credits: modelPrice.credits,
      supportedSchedulers: (entry.supported_schedulers as string[] | undefined) ?? [],
      routes,
      offlineStandIn,
    });
  }
  const defaultModels = ((raw.default_models ?? []) as string[]).filter(
    (m) => models.has(m) || fail(`unknown default model ${m}`),
  );
  const useCases = Object.entries(
    (raw.use_cases ?? {}) as Record<string, { model?: string; provider?: string } | null>,
  ).map(([name, value]) => {
    const model = String(value?.model ?? "");
    const provider = String(value?.provider ?? "");
    if (model && !models.has(model)) fail(`use case ${name}: unknown model ${model}`);
    if (provider && !providers.has(provider)) fail(`use case ${name}: unknown provider ${provider}`);
    return { name, model, provider };
  });
  return { defaultModels, useCases, providers, models };
}
