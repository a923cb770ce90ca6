import type { PostgresDatabase } from "../store/postgres-database.ts";
import {
  appValues,
  artifactValues,
  toApp,
  toArtifact,
  type OAuthAppRecord,
  type OAuthArtifact,
  type OAuthStore,
} from "./oauth-store.ts";

/** OAuth state in the shared PostgreSQL: issued by one replica, honoured or revoked by any. */
export class PostgresOAuthStore implements OAuthStore {
  constructor(private readonly db: PostgresDatabase) {}

  async insertApp(app: OAuthAppRecord): Promise<void> {
    await this.db.query("INSERT INTO oauth_apps VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", appValues(app));
  }

  async findApp(clientId: string): Promise<OAuthAppRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM oauth_apps WHERE client_id = $1", [clientId]);
    return rows[0] && toApp(rows[0]);
  }

  async listApps(owner: string): Promise<OAuthAppRecord[]> {
    return (
      await this.db.query("SELECT * FROM oauth_apps WHERE owner = $1 ORDER BY created_at, client_id", [owner])
    ).rows.map(toApp);
  }

  async deleteApp(owner: string, clientId: string): Promise<boolean> {
    const deleted =
      ((await this.db.query("DELETE FROM oauth_apps WHERE client_id = $1 AND owner = $2", [clientId, owner]))
        .rowCount ?? 0) > 0;
    if (deleted) await this.db.query("DELETE FROM oauth_artifacts WHERE client_id = $1", [clientId]);
    return deleted;
  }

  async upsertArtifact(a: OAuthArtifact): Promise<void> {
    await this.db.query(
      `INSERT INTO oauth_artifacts (kind, id_hash, payload, grant_id, uid, client_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (kind, id_hash) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
         client_id = excluded.client_id, expires_at = excluded.expires_at`,
      artifactValues(a),
    );
  }

  async findArtifact(
    kind: string,
    idHash: string,
    now: number,
  ): Promise<(OAuthArtifact & { consumedAt?: number }) | undefined> {
    const { rows } = await this.db.query(
      "SELECT * FROM oauth_artifacts WHERE kind = $1 AND id_hash = $2 AND expires_at > $3",
      [kind, idHash, now],
    );
    return rows[0] && toArtifact(rows[0]);
  }

  async findArtifactByUid(
    kind: string,
    uid: string,
    now: number,
  ): Promise<(OAuthArtifact & { consumedAt?: number }) | undefined> {
    const { rows } = await this.db.query(
      "SELECT * FROM oauth_artifacts WHERE kind = $1 AND uid = $2 AND expires_at > $3",
      [kind, uid, now],
    );
    return rows[0] && toArtifact(rows[0]);
  }

  async consumeArtifact(kind: string, idHash: string, at: number): Promise<void> {
    await this.db.query(
      "UPDATE oauth_artifacts SET consumed_at = $1 WHERE kind = $2 AND id_hash = $3 AND consumed_at IS NULL",
      [at, kind, idHash],
    );
  }

  async destroyArtifact(kind: string, idHash: string): Promise<void> {
    await this.db.query("DELETE FROM oauth_artifacts WHERE kind = $1 AND id_hash = $2", [kind, idHash]);
  }

  async revokeGrant(grantId: string): Promise<void> {
    await this.db.query("DELETE FROM oauth_artifacts WHERE grant_id = $1", [grantId]);
  }
}
