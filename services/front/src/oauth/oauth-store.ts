/** A registered third-party application (OAuthAppService). */
export interface OAuthAppRecord {
  readonly clientId: string;
  readonly owner: string;
  /** The API key that registered it: client-credentials tokens act as this key (tier, limits, model scope). */
  readonly keyId: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly confidential: boolean;
  /** SHA-256 of the client secret, hex; empty for public apps. The secret itself is never kept. */
  readonly secretHashHex: string;
  readonly createdAt: number;
}

/**
 * One artifact of the authorization server (code, access/refresh token, grant, interaction,
 * session…), as oidc-provider's adapter hands it over. `idHash` is the SHA-256 of its id: a
 * stolen database holds no usable code or token.
 */
export interface OAuthArtifact {
  readonly kind: string;
  readonly idHash: string;
  readonly payloadJson: string;
  readonly grantId?: string;
  readonly uid?: string;
  readonly clientId?: string;
  /** Epoch ms after which it reads as absent. */
  readonly expiresAt: number;
}

/**
 * OAuth state, on SQLite and PostgreSQL alike: every replica reads it on every request, so a
 * revocation or an app deletion on one is in force on all from the next request.
 */
export interface OAuthStore {
  insertApp(app: OAuthAppRecord): Promise<void>;
  /** Any owner's app: the authorization server looks clients up by id alone. */
  findApp(clientId: string): Promise<OAuthAppRecord | undefined>;
  listApps(owner: string): Promise<OAuthAppRecord[]>;
  /** Deletes the owner's app and every artifact issued to it; false when the owner has no such app. */
  deleteApp(owner: string, clientId: string): Promise<boolean>;
  upsertArtifact(artifact: OAuthArtifact): Promise<void>;
  /** The artifact unless expired; `consumedAt` set once consumed. */
  findArtifact(
    kind: string,
    idHash: string,
    now: number,
  ): Promise<(OAuthArtifact & { consumedAt?: number }) | undefined>;
  findArtifactByUid(
    kind: string,
    uid: string,
    now: number,
  ): Promise<(OAuthArtifact & { consumedAt?: number }) | undefined>;
  consumeArtifact(kind: string, idHash: string, at: number): Promise<void>;
  destroyArtifact(kind: string, idHash: string): Promise<void>;
  /** Deletes every artifact of a grant (a code's or refresh token's whole family). */
  revokeGrant(grantId: string): Promise<void>;
}

export const SQLITE_OAUTH_TABLES = [
  `CREATE TABLE IF NOT EXISTS oauth_apps (
     client_id TEXT PRIMARY KEY, owner TEXT NOT NULL, key_id TEXT NOT NULL, name TEXT NOT NULL,
     redirect_uris TEXT NOT NULL, scopes TEXT NOT NULL, confidential INTEGER NOT NULL,
     secret_hash TEXT NOT NULL, created_at INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS oauth_apps_owner ON oauth_apps (owner, created_at)",
  `CREATE TABLE IF NOT EXISTS oauth_artifacts (
     kind TEXT NOT NULL, id_hash TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT, uid TEXT,
     client_id TEXT, expires_at INTEGER NOT NULL, consumed_at INTEGER, PRIMARY KEY (kind, id_hash))`,
  "CREATE INDEX IF NOT EXISTS oauth_artifacts_grant ON oauth_artifacts (grant_id)",
  "CREATE INDEX IF NOT EXISTS oauth_artifacts_client ON oauth_artifacts (client_id)",
  "CREATE INDEX IF NOT EXISTS oauth_artifacts_uid ON oauth_artifacts (kind, uid)",
];

export const POSTGRES_OAUTH_TABLES = `
  CREATE TABLE oauth_apps (
    client_id TEXT PRIMARY KEY, owner TEXT NOT NULL, key_id TEXT NOT NULL, name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL, scopes TEXT NOT NULL, confidential INTEGER NOT NULL,
    secret_hash TEXT NOT NULL, created_at BIGINT NOT NULL);
  CREATE INDEX oauth_apps_owner ON oauth_apps (owner, created_at);
  CREATE TABLE oauth_artifacts (
    kind TEXT NOT NULL, id_hash TEXT NOT NULL, payload TEXT NOT NULL, grant_id TEXT, uid TEXT,
    client_id TEXT, expires_at BIGINT NOT NULL, consumed_at BIGINT, PRIMARY KEY (kind, id_hash));
  CREATE INDEX oauth_artifacts_grant ON oauth_artifacts (grant_id);
  CREATE INDEX oauth_artifacts_client ON oauth_artifacts (client_id);
  CREATE INDEX oauth_artifacts_uid ON oauth_artifacts (kind, uid);`;

type Row = Record<string, unknown>;

/** Column values of an app row, in table order. */
export function appValues(a: OAuthAppRecord): Array<string | number> {
  return [
    a.clientId,
    a.owner,
    a.keyId,
    a.name,
    JSON.stringify(a.redirectUris),
    JSON.stringify(a.scopes),
    a.confidential ? 1 : 0,
    a.secretHashHex,
    a.createdAt,
  ];
}

export function toApp(row: Row): OAuthAppRecord {
  return {
    clientId: String(row.client_id),
    owner: String(row.owner),
    keyId: String(row.key_id),
    name: String(row.name),
    redirectUris: JSON.parse(String(row.redirect_uris)) as string[],
    scopes: JSON.parse(String(row.scopes)) as string[],
    confidential: Number(row.confidential) === 1,
    secretHashHex: String(row.secret_hash),
    createdAt: Number(row.created_at),
  };
}

/** Column values of an artifact row, in table order (consumed_at last, unset). */
export function artifactValues(a: OAuthArtifact): Array<string | number | null> {
  return [a.kind, a.idHash, a.payloadJson, a.grantId ?? null, a.uid ?? null, a.clientId ?? null, a.expiresAt];
}

export function toArtifact(row: Row): OAuthArtifact & { consumedAt?: number } {
  return {
    kind: String(row.kind),
    idHash: String(row.id_hash),
    payloadJson: String(row.payload),
    grantId: row.grant_id == null ? undefined : String(row.grant_id),
    uid: row.uid == null ? undefined : String(row.uid),
    clientId: row.client_id == null ? undefined : String(row.client_id),
    expiresAt: Number(row.expires_at),
    consumedAt: row.consumed_at == null ? undefined : Number(row.consumed_at),
  };
}
