import { createHash } from "node:crypto";
import type { Adapter, AdapterPayload } from "oidc-provider";
import type { OAuthAppRecord, OAuthStore } from "./oauth-store.ts";

/** SHA-256 hex of an artifact id: codes and tokens are looked up by digest and never stored. */
export function artifactIdHash(id: string): string {
  return createHash("sha256").update(id, "utf8").digest("hex");
}

/** Artifacts whose id is a bearer secret (sessions and interactions keep theirs: cookies name them). */
const BEARER_KINDS = new Set(["AccessToken", "RefreshToken", "AuthorizationCode", "ClientCredentials"]);

/**
 * oidc-provider's client metadata for a registered app. `client_secret` holds the secret's
 * digest, never the secret: compareClientSecret (authorization-server.ts) hashes what a client
 * presents before comparing. Loopback redirect URIs make the app "native" so that, per RFC 8252
 * §7.3, any port matches at authorization time.
 */
export function clientMetadata(app: OAuthAppRecord): AdapterPayload {
  const native = app.redirectUris.some((uri) => uri.startsWith("http://"));
  return {
    client_id: app.clientId,
    client_name: app.name,
    redirect_uris: [...app.redirectUris],
    response_types: ["code"],
    grant_types: app.confidential
      ? ["authorization_code", "refresh_token", "client_credentials"]
      : ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: app.confidential ? "client_secret_basic" : "none",
    ...(app.confidential ? { client_secret: app.secretHashHex } : {}),
    application_type: native ? "native" : "web",
    scope: app.scopes.join(" "),
  };
}

/**
 * The authorization server's storage, backed by the front's store so that every replica sees
 * every code, token and grant, and a revocation anywhere counts everywhere. One instance per
 * model name (AccessToken, RefreshToken, Grant, Interaction, Session, …); clients are the
 * registered apps.
 */
export class StoreAdapter implements Adapter {
  constructor(
    private readonly kind: string,
    private readonly store: OAuthStore,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    // A token's or code's jti is its bearer value: it is dropped here and put back on read.
    const { jti, ...rest } = payload as AdapterPayload & { jti?: string };
    const stored = BEARER_KINDS.has(this.kind) ? rest : { ...rest, ...(jti ? { jti } : {}) };
    await this.store.upsertArtifact({
      kind: this.kind,
      idHash: artifactIdHash(id),
      payloadJson: JSON.stringify(stored),
      grantId: typeof payload.grantId === "string" ? payload.grantId : undefined,
      uid: typeof payload.uid === "string" ? payload.uid : undefined,
      clientId: typeof payload.clientId === "string" ? payload.clientId : undefined,
      expiresAt: this.now() + (expiresIn ?? 14 * 24 * 3600) * 1000,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.kind === "Client") {
      const app = await this.store.findApp(id);
      return app && clientMetadata(app);
    }
    const found = await this.store.findArtifact(this.kind, artifactIdHash(id), this.now());
    return found && this.payloadOf(found.payloadJson, found.consumedAt, id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const found = await this.store.findArtifactByUid(this.kind, uid, this.now());
    if (!found) return undefined;
    const payload = JSON.parse(found.payloadJson) as AdapterPayload;
    return { ...payload, ...(found.consumedAt ? { consumed: Math.floor(found.consumedAt / 1000) } : {}) };
  }

  async findByUserCode(): Promise<undefined> {
    // The device flow is not enabled: there are no user codes.
    return undefined;
  }

  async consume(id: string): Promise<void> {
    await this.store.consumeArtifact(this.kind, artifactIdHash(id), this.now());
  }

  async destroy(id: string): Promise<void> {
    await this.store.destroyArtifact(this.kind, artifactIdHash(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.store.revokeGrant(grantId);
  }

  private payloadOf(json: string, consumedAt: number | undefined, id: string): AdapterPayload {
    const payload = JSON.parse(json) as AdapterPayload;
    return {
      ...payload,
      ...(BEARER_KINDS.has(this.kind) ? { jti: id } : {}),
      ...(consumedAt ? { consumed: Math.floor(consumedAt / 1000) } : {}),
    } as AdapterPayload;
  }
}
