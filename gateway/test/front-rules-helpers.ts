import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { RunningSystem } from "./start-system.ts";

/** The checkout root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** config/imagegen.yaml with the free tier shrunk so a test reaches its limit in a few calls. */
export function configWithTiers(tiers: Record<string, Record<string, number>>): string {
  const config = parse(readFileSync(join(ROOT, "config", "imagegen.yaml"), "utf8")) as Record<string, unknown>;
  config.tiers = { ...(config.tiers as object), ...tiers };
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
    return { status: res.status, headers: res.headers, text, json: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  };
}
