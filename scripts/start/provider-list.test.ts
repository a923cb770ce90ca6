import { join } from "node:path";
import { readProviderEnvironment, type ProviderDefinition } from "@imagegen/provider-kit";
import { describe, expect, it } from "vitest";
import { readProviderEntries } from "./service-plan.ts";

// config/imagegen.yaml's token_env decides whether `npm start` runs a provider and whether the
// front counts it configured; the provider itself decides from its definition. They must agree:
// any one of the listed variables makes the provider configured, none of them leaves it not.
const ROOT = join(import.meta.dirname, "..", "..");

async function definitionOf(id: string): Promise<ProviderDefinition> {
  const module = (await import(join(ROOT, "services", "providers", id, "src", `${id}-provider.ts`))) as Record<
    string,
    unknown
  >;
  // A definition, or a factory of one that reads its models from the environment (automatic1111).
  const candidates = Object.values(module).map((value) =>
    typeof value === "function" && value.length <= 1 && /^create\w+Provider$/.test(value.name) ? value({}) : value,
  );
  const found = candidates.find(
    (value): value is ProviderDefinition => (value as ProviderDefinition | undefined)?.id === id,
  );
  if (!found) throw new Error(`services/providers/${id}/src/${id}-provider.ts exports no definition with id "${id}"`);
  return found;
}

describe("the catalog's token_env and each provider's own configuration rule", () => {
  for (const { id, tokenEnv } of readProviderEntries(join(ROOT, "config", "imagegen.yaml"))) {
    it(`agree for ${id}`, async () => {
      const definition = await definitionOf(id);
      const reason = (env: NodeJS.ProcessEnv) => readProviderEnvironment(definition, env).notConfigured;
      if (tokenEnv.length === 0) {
        expect(reason({})).toBeUndefined();
        return;
      }
      expect(reason({})).toBeDefined();
      // A base URL variable (a self-hosted server) needs a URL for a value.
      for (const name of tokenEnv) expect(reason({ [name]: "http://127.0.0.1:7860" }), name).toBeUndefined();
    });
  }
});
