import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogConfig } from "./catalog-config.ts";

const CONFIG = join(import.meta.dirname, "..", "..", "..", "..", "config", "imagegen.yaml");

describe("loadCatalogConfig and IMAGEGEN_PROVIDERS", () => {
  it("marks every provider not listed as not started, and keeps URL overrides", () => {
    const config = loadCatalogConfig(CONFIG, {
      IMAGEGEN_PROVIDERS: "local,openai",
      IMAGEGEN_PROVIDER_LOCAL_URL: "http://127.0.0.1:40001",
    });
    expect(config.providers.get("local")).toEqual({ id: "local", url: "http://127.0.0.1:40001", tokenSet: false });
    expect(config.providers.get("openai")?.notStarted).toBeUndefined();
    expect(config.providers.get("replicate")?.notStarted).toBe("not started (token not set)");
  });

  it("tries every provider when the variable is unset (deployments)", () => {
    const config = loadCatalogConfig(CONFIG, {});
    expect([...config.providers.values()].filter((p) => p.notStarted)).toEqual([]);
  });
});
