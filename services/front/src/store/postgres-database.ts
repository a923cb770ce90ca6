import pg from "pg";
import type { Logger } from "@imagegen/server-kit";
import { POSTGRES_MIGRATIONS } from "./postgres-schema.ts";
import { fromPostgresError } from "./postgres-errors.ts";

type Row = Record<string, unknown>;

// Any fixed number identifies our migration lock among other users of the database.
const MIGRATION_LOCK = 7_301_004;
// How long a query waits for a connection (a free pool slot, or a new one to a server that does
// not answer) before it fails as UNAVAILABLE rather than hanging its request.
const CONNECT_TIMEOUT_MS = 5_000;
// A server that takes a query and never answers (stalled disk, half-open connection) must not
// hang the request: every statement we run is a short key or row lookup or write.
export const QUERY_TIMEOUT_MS = 10_000;

/** One statement's runner: what every PostgreSQL table family queries through. */
export type PostgresQuery = (sql: string, args?: unknown[]) => Promise<pg.QueryResult>;

/**
 * The front's one pool to the shared PostgreSQL (DATABASE_URL), schema migrated at open, shared
 * by every table family (generations, gallery, preferences, webhooks…). Every statement goes
 * through query(), so an unreachable server reads as UNAVAILABLE everywhere.
 */
export class PostgresDatabase {
  private constructor(private readonly pool: pg.Pool) {}

  /**
   * Connects and brings the schema up to date before the first query. Afterwards the pool
   * reconnects on its own: while the server is unreachable, queries fail as UNAVAILABLE.
   */
  static async open(connectionString: string, logger?: Logger): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // An idle pooled connection the server closes (restart, failover) is reported here; pg-pool
    // has already discarded it. Without a listener this 'error' event would crash the process.
    pool.on("error", (error) => logger?.warn("PostgreSQL closed an idle connection", { error: error.message }));
    // Migrations run on a connection of their own, without the pool's per-query bound: a
    // backfill over every generation, or waiting for another replica's, may take far longer
    // than one request's statement.
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on("error", () => undefined); // a lost connection also fails the query in progress
    await client.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
      const applied = new Set(
        (await client.query("SELECT version FROM schema_migrations")).rows.map((r: Row) => Number(r.version)),
      );
      for (const [index, sql] of POSTGRES_MIGRATIONS.entries()) {
        if (applied.has(index + 1)) continue;
        await client.query("BEGIN");
        await client.query(sql);
        await client.query("INSERT INTO schema_migrations VALUES ($1)", [index + 1]);
        await client.query("COMMIT");
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
      await client.end();
    }
    return new PostgresDatabase(pool);
  }

  readonly query: PostgresQuery = async (sql, args = []) => {
    try {
      return await this.pool.query(sql, args);
    } catch (error) {
      throw fromPostgresError(error);
    }
  };

  /** Runs `work` in one transaction on one connection (committed unless it throws). */
  async transaction<T>(work: (query: PostgresQuery) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw fromPostgresError(error);
    }
    const query: PostgresQuery = async (sql, args = []) => {
      try {
        return await client.query(sql, args);
      } catch (error) {
        throw fromPostgresError(error);
      }
    };
    try {
      await query("BEGIN");
      const result = await work(query);
      await query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
