import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** One tier's allowances (seed 004's table plus a monthly credit quota and a concurrency cap). */
export interface TierLimits {
  readonly perMinute: number;
  readonly perHour: number;
  readonly perDay: number;
  /** Credits an owner may spend per calendar month (UTC) unless the key sets its own. */
  readonly monthlyCredits: number;
  /** Generations one key may have running at once. */
  readonly maxConcurrent: number;
}

/** Seed 004's rate limits; enterprise is "custom", i.e. whatever the operator configures. */
export const DEFAULT_TIERS: Readonly<Record<string, TierLimits>> = {
  free: { perMinute: 10, perHour: 100, perDay: 1000, monthlyCredits: 100, maxConcurrent: 2 },
  basic: { perMinute: 60, perHour: 1000, perDay: 10_000, monthlyCredits: 10_000, maxConcurrent: 4 },
  pro: { perMinute: 300, perHour: 5000, perDay: 50_000, monthlyCredits: 50_000, maxConcurrent: 8 },
  enterprise: { perMinute: 3000, perHour: 100_000, perDay: 1_000_000, monthlyCredits: 1_000_000, maxConcurrent: 32 },
};

const FIELDS: Record<keyof TierLimits, string> = {
  perMinute: "per_minute",
  perHour: "per_hour",
  perDay: "per_day",
  monthlyCredits: "monthly_credits",
  maxConcurrent: "max_concurrent",
};

/** The limits of a key's tier; a tier the config does not know gets the free tier's. */
export function tierLimits(tiers: ReadonlyMap<string, TierLimits>, tier: string): TierLimits | undefined {
  return tiers.get(tier) ?? tiers.get("free");
}

/**
 * The `tiers:` section of config/imagegen.yaml over the defaults: a tier or a field left out
 * keeps its default; a value that is not a non-negative number stops the start.
 */
export function loadTierConfig(path: string): Map<string, TierLimits> {
  const raw = (parse(readFileSync(path, "utf8")) as Record<string, unknown>)?.tiers ?? {};
  const tiers = new Map(Object.entries(DEFAULT_TIERS));
  for (const [name, value] of Object.entries(raw as Record<string, Record<string, unknown> | null>)) {
    const base = tiers.get(name) ?? DEFAULT_TIERS.free!;
    const limits = { ...base } as Record<keyof TierLimits, number>;
    for (const [field, yamlName] of Object.entries(FIELDS) as Array<[keyof TierLimits, string]>) {
      const v = value?.[yamlName];
      if (v === undefined) continue;
      if (typeof v !== "number" || !(v >= 0))
        throw new Error(`${path}: tiers.${name}.${yamlName} must be a number >= 0`);
      limits[field] = v;
    }
    tiers.set(name, limits);
  }
  return tiers;
}
