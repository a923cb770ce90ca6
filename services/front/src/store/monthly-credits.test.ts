import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { monthStart } from "./monthly-credits.ts";
import { SqliteStore } from "./sqlite-store.ts";

describe("monthly credit totals", () => {
  it("name the UTC month a time falls in", () => {
    expect(monthStart(Date.UTC(2026, 10, 30, 23, 59, 59, 999))).toBe(Date.UTC(2026, 10, 1));
    expect(monthStart(Date.UTC(2026, 11, 1))).toBe(Date.UTC(2026, 11, 1));
  });

  it("are backfilled from the generations of a database that predates them", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "imagegen-credits-")), "imagegen.sqlite");
    const store = new SqliteStore(file);
    const base = {
      keyId: "k",
      status: "completed",
      operation: "text-to-image",
      model: "m",
      provider: "local",
      prompt: "p",
      requestJson: "{}",
      metadataJson: "",
      costUsd: 0,
    } as const;
    await store.insertGeneration({ ...base, id: "gen_a", owner: "o", createdAt: Date.UTC(2026, 4, 3), costCredits: 2 });
    await store.insertGeneration({
      ...base,
      id: "gen_b",
      owner: "o",
      createdAt: Date.UTC(2026, 4, 9),
      costCredits: 0.5,
    });
    await store.close();
    // As an older release left it: generations, no totals.
    const db = new DatabaseSync(file);
    db.exec(
      "DROP TRIGGER generations_credits_insert; DROP TRIGGER generations_credits_update; DROP TABLE monthly_credits;",
    );
    db.close();
    const reopened = new SqliteStore(file);
    expect(await reopened.creditsSpentInMonth("o", Date.UTC(2026, 4, 1))).toBe(2.5);
    await reopened.close();
  });
});
