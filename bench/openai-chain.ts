import { benchConfigPath } from "./bench-config.ts";

/** The token the fast fake OpenAI accepts, and our openai provider is given. */
export const FAKE_OPENAI_TOKEN = "sk-bench-token";

/** Environment of our chain in front of a fake OpenAI at `fakeOrigin` (bench config, quiet logs). */
export function chainEnvFor(fakeOrigin: string): Record<string, string> {
  return {
    LOG_LEVEL: "warn",
    OPENAI_API_KEY: FAKE_OPENAI_TOKEN,
    OPENAI_BASE_URL: `${fakeOrigin}/v1`,
    IMAGEGEN_CONFIG: benchConfigPath(),
  };
}

/** An enterprise key of its own owner, made through the admin API. */
export async function createEnterpriseKey(baseUrl: string, adminKey: string, owner: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v2/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ owner, tier: "enterprise" }),
  });
  if (!res.ok) throw new Error(`bench: could not create an enterprise key (${res.status} ${await res.text()})`);
  return ((await res.json()) as { secret: string }).secret;
}
