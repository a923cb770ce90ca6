import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROVIDER_NODE_FLAGS } from "@imagegen/provider-kit/node-flags";
import { describe, expect, it } from "vitest";
import { frontProviderEnv, localUrl, planServices, readProviderEntries } from "./service-plan.ts";

const ROOT = join(import.meta.dirname, "..", "..");
// A catalog's provider list as config/imagegen.yaml writes it.
const PROVIDERS = [
  { id: "local", tokenEnv: [] },
  { id: "replicate", tokenEnv: ["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"] },
  { id: "openai", tokenEnv: ["OPENAI_API_KEY"] },
  { id: "bfl", tokenEnv: ["BFL_API_KEY"] },
  { id: "automatic1111", tokenEnv: ["A1111_BASE_URL"] },
];

describe("the provider list of config/imagegen.yaml", () => {
  it("names a provider process for each provider of the shipped catalog, local without a token", () => {
    const list = readProviderEntries(join(ROOT, "config", "imagegen.yaml"));
    expect(list.find((p) => p.id === "local")).toEqual({ id: "local", tokenEnv: [] });
    expect(list.find((p) => p.id === "replicate")?.tokenEnv).toEqual(["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"]);
    for (const { id } of list)
      expect(existsSync(join(ROOT, "services", "providers", id, "src", "main.ts")), id).toBe(true);
  });

  it("is what decides: a provider added to the file starts with its own token variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "imagegen-plan-"));
    try {
      const path = join(dir, "catalog.yaml");
      writeFileSync(
        path,
        'providers:\n  local: { url: "http://127.0.0.1:8090" }\n  acme: { url: "http://127.0.0.1:9999", token_env: [ACME_KEY] }\n',
      );
      const list = readProviderEntries(path);
      expect(planServices({}, list).providers.map((p) => p.name)).toEqual(["local"]);
      expect(planServices({ ACME_KEY: "k" }, list).providers.map((p) => [p.name, p.entry])).toEqual([
        ["local", "services/providers/local/src/main.ts"],
        ["acme", "services/providers/acme/src/main.ts"],
      ]);
      writeFileSync(path, "providers:\n  acme: { token_env: ACME_KEY }\n");
      expect(() => readProviderEntries(path)).toThrow(/providers.acme.token_env must be a list/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("planServices", () => {
  it("runs the local provider, front and gateway, with internal ports left to the OS", () => {
    const plan = planServices({}, PROVIDERS);
    expect(plan.providers.map((p) => [p.name, p.port, p.portVariable])).toEqual([
      ["local", 0, "IMAGEGEN_PROVIDER_LOCAL_PORT"],
    ]);
    expect([plan.front.port, plan.gateway.port, plan.gateway.bindHost]).toEqual([0, 8080, "0.0.0.0"]);
    // Providers run with provider-kit's Node flags; the front and gateway with Node's defaults.
    expect(plan.providers[0]!.nodeFlags).toEqual(PROVIDER_NODE_FLAGS);
    expect([plan.front.nodeFlags, plan.gateway.nodeFlags]).toEqual([undefined, undefined]);
    // The front runs inside the gateway's process unless told otherwise.
    expect(plan.frontInProcess).toBe(true);
    expect(planServices({ IMAGEGEN_FRONT_IN_PROCESS: "false" }, PROVIDERS).frontInProcess).toBe(false);
  });

  it("starts a provider only when its token is set, and keeps explicitly set ports", () => {
    const plan = planServices(
      {
        OPENAI_API_KEY: "sk-x",
        A1111_BASE_URL: "http://gpu:7860",
        IMAGEGEN_FRONT_PORT: "9081",
        IMAGEGEN_PROVIDER_OPENAI_PORT: "9092",
        IMAGEGEN_PORT: "9000",
      },
      PROVIDERS,
    );
    expect(plan.providers.map((p) => [p.name, p.port])).toEqual([
      ["local", 0],
      ["openai", 9092],
      ["automatic1111", 0],
    ]);
    expect(plan.providers[2]!.portVariable).toBe("IMAGEGEN_PROVIDER_AUTOMATIC1111_PORT");
    expect([plan.front.port, plan.gateway.port]).toEqual([9081, 9000]);
  });
});

describe("frontProviderEnv", () => {
  it("names the started providers and points the front at their bound ports, unless a URL is set", () => {
    const plan = planServices({ OPENAI_API_KEY: "sk-x" }, PROVIDERS);
    const env = frontProviderEnv({ IMAGEGEN_PROVIDER_OPENAI_URL: "http://elsewhere:1" }, PROVIDERS, [
      { spec: plan.providers[0]!, port: 40001 },
      { spec: plan.providers[1]!, port: 40002 },
    ]);
    expect(env).toEqual({ IMAGEGEN_PROVIDERS: "local,openai", IMAGEGEN_PROVIDER_LOCAL_URL: "http://127.0.0.1:40001" });
  });

  it("also allows a provider the operator pointed at a URL elsewhere, and no other", () => {
    const plan = planServices({}, PROVIDERS);
    const env = frontProviderEnv({ IMAGEGEN_PROVIDER_BFL_URL: "http://gpu-box:8095" }, PROVIDERS, [
      { spec: plan.providers[0]!, port: 40001 },
    ]);
    expect(env.IMAGEGEN_PROVIDERS).toBe("local,bfl");
  });

  it("dials loopback for a wildcard bind and brackets IPv6 hosts", () => {
    expect([localUrl("0.0.0.0", 1), localUrl("::", 2), localUrl("::1", 3), localUrl("10.0.0.5", 4)]).toEqual([
      "http://127.0.0.1:1",
      "http://127.0.0.1:2",
      "http://[::1]:3",
      "http://10.0.0.5:4",
    ]);
  });
});
