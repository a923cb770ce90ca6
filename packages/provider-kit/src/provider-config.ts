import type { ProviderDefinition } from "./provider-definition.ts";

/** What the environment says about one provider: its token, base URL and whether it can serve. */
export interface ProviderEnvironment {
  readonly token?: string;
  readonly baseUrl: string;
  /** Why it cannot serve ("REPLICATE_API_TOKEN is not set"); undefined when configured. */
  readonly notConfigured?: string;
}

/** Env var name fragment for a provider id: "automatic1111" → "AUTOMATIC1111". */
export function envName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** Reads token (first of `tokenEnv` that is set) and base URL (`<ID>_BASE_URL`) from `env`. */
export function readProviderEnvironment(definition: ProviderDefinition, env: NodeJS.ProcessEnv): ProviderEnvironment {
  const token = definition.tokenEnv.map((name) => env[name]?.trim()).find((value) => !!value);
  const baseUrl =
    env[definition.baseUrlEnv ?? `${envName(definition.id)}_BASE_URL`]?.trim() || definition.defaultBaseUrl;
  const notConfigured = definition.notConfiguredReason
    ? definition.notConfiguredReason(env)
    : definition.tokenEnv.length > 0 && !token
      ? `${definition.tokenEnv[0]} is not set`
      : undefined;
  return { token, baseUrl, notConfigured };
}
