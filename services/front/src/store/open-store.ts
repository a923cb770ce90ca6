import { join } from "node:path";
import type { Logger } from "@imagegen/server-kit";
import { PostgresStore } from "./postgres-store.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { Store } from "./store.ts";

/**
 * The store the environment asks for: PostgreSQL when DATABASE_URL is set (several replicas),
 * otherwise the SQLite file under the data dir: for the keys CLI (the front opens every table
 * family at once, open-state.ts).
 */
export async function openStore(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): Promise<Store> {
  const url = env.DATABASE_URL;
  return url ? PostgresStore.open(url, logger) : new SqliteStore(join(dataDir, "imagegen.sqlite"));
}
