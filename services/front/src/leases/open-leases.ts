import { join } from "node:path";
import type { LeaseStore } from "./lease-store.ts";
import { PostgresLeases } from "./postgres-leases.ts";
import { SqliteLeases } from "./sqlite-leases.ts";

/** Leases where the generations are: PostgreSQL when DATABASE_URL is set, else the data dir's SQLite. */
export function openLeases(dataDir: string, env: NodeJS.ProcessEnv = process.env): LeaseStore {
  return env.DATABASE_URL ? new PostgresLeases(env.DATABASE_URL) : new SqliteLeases(join(dataDir, "imagegen.sqlite"));
}
