import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { RunningSystem } from "./start-system.ts";

/** The checkout root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/**
 * A model the offline renderer serves at a price (1 credit, $0.02 an image), so metering tests
 * run offline: the real catalog's offline models are free, and a real model never falls back
 * to the offline renderer (DESIGN.md "Routing rule").
 */
export const METERED_LOCAL = "metered-local";

/**
 * config/imagegen.yaml with `tiers` merged in (e.g. the free tier shrunk so a test reaches its
 * limit in a few calls) and the METERED_LOCAL model added.
 */
export function configWithTiers(tiers: Record<string, Record<string, number>> = {}): string {
  const config = parse(readFileSync(join(ROOT, "config", "imagegen.yaml"), "utf8")) as Record<string, unknown>;
  config.tiers = { ...(config.tiers as object), ...tiers };
  (config.models as unknown[]).push({
    id: METERED_LOCAL,
    name: "Local renderer at a price (tests)",
    type: "text-to-image",
    pricing: { usd_per_image: 0.02, credits: 1 },
    routes: [{ provider: "local", model: "local-procedural" }],
  });
  const file = join(mkdtempSync(join(tmpdir(), "imagegen-config-")), "imagegen.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

/** A client of one running system, calling its REST surface with a key. */
export function restClient(system: RunningSystem) {
  return async (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(system.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: (text ? JSON.parse(text) : undefined) as Record<string, any>,
    };
  };
}
