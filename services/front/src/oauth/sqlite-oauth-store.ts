import type { DatabaseSync } from "node:sqlite";
import {
  appValues,
  artifactValues,
  SQLITE_OAUTH_TABLES,
  toApp,
  toArtifact,
  type OAuthAppRecord,
  type OAuthArtifact,
  type OAuthStore,
} from "./oauth-store.ts";

type Row = Record<string, unknown>;

/** OAuth state in the embedded SQLite file, on the front's shared connection. */
export class SqliteOAuthStore implements OAuthStore {
  constructor(private readonly db: DatabaseSync) {
    for (const sql of SQLITE_OAUTH_TABLES) this.db.exec(sql);
  }

  async insertApp(app: OAuthAppRecord): Promise<void> {
    this.db.prepare("INSERT INTO oauth_apps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)").run(...appValues(app));
  }

  async findApp(clientId: string): Promise<OAuthAppRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM oauth_apps WHERE client_id = ?").get(clientId) as Row | undefined;
    return row && toApp(row);
  }

  async listApps(owner: string): Promise<OAuthAppRecord[]> {
    return (
      this.db.prepare("SELECT * FROM oauth_apps WHERE owner = ? ORDER BY created_at, client_id").all(owner) as Row[]
    ).map(toApp);
  }

  async deleteApp(owner: string, clientId: string): Promise<boolean> {
    const deleted =
      this.db.prepare("DELETE FROM oauth_apps WHERE client_id = ? AND owner = ?").run(clientId, owner).changes > 0;
    if (deleted) this.db.prepare("DELETE FROM oauth_artifacts WHERE client_id = ?").run(clientId);
    return deleted;
  }

  async upsertArtifact(a: OAuthArtifact): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO oauth_artifacts (kind, id_hash, payload, grant_id, uid, client_id, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, id_hash) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
           client_id = excluded.client_id, expires_at = excluded.expires_at`,
      )
      .run(...artifactValues(a));
  }

  async findArtifact(
    kind: string,
    idHash: string,
    now: number,
  ): Promise<(OAuthArtifact & { consumedAt?: number }) | undefined> {
    const row = this.db
      .prepare("SELECT * FROM oauth_artifacts WHERE kind = ? AND id_hash = ? AND expires_at > ?")
      .get(kind, idHash, now) as Row | undefined;
    return row && toArtifact(row);
  }

  async findArtifactByUid(
    kind: string,
    uid: string,
    now: number,
  ): Promise<(OAuthArtifact & { consumedAt?: number }) | undefined> {
    const row = this.db
      .prepare("SELECT * FROM oauth_artifacts WHERE kind = ? AND uid = ? AND expires_at > ?")
      .get(kind, uid, now) as Row | undefined;
    return row && toArtifact(row);
  }

  async consumeArtifact(kind: string, idHash: string, at: number): Promise<void> {
    this.db
      .prepare("UPDATE oauth_artifacts SET consumed_at = ? WHERE kind = ? AND id_hash = ? AND consumed_at IS NULL")
      .run(at, kind, idHash);
  }

  async destroyArtifact(kind: string, idHash: string): Promise<void> {
    this.db.prepare("DELETE FROM oauth_artifacts WHERE kind = ? AND id_hash = ?").run(kind, idHash);
  }

  async revokeGrant(grantId: string): Promise<void> {
    this.db.prepare("DELETE FROM oauth_artifacts WHERE grant_id = ?").run(grantId);
  }
}
