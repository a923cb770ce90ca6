import type { SecretsBox } from "./secrets-box.ts";
import type { IntegrationRecord, IntegrationStore } from "./integration-store.ts";
import type { StorageService, TokenSet } from "./storage-service.ts";

// Refresh this long before expiry, so a token does not die mid-upload.
const EARLY_REFRESH_MS = 60_000;

/** Seals a token set for the store. */
export function sealTokens(box: SecretsBox, tokens: TokenSet): string {
  return box.seal(JSON.stringify(tokens));
}

export function openTokens(box: SecretsBox, sealed: string): TokenSet {
  return JSON.parse(box.open(sealed)) as TokenSet;
}

/**
 * One integration's tokens for the length of a task: a fresh access token (refreshed with the
 * refresh token when it is about to expire, or when the service said it expired), each new set
 * sealed back into the store so every replica uses it.
 */
export class TokenSession {
  private tokens: TokenSet;

  constructor(
    private readonly integration: IntegrationRecord,
    private readonly service: StorageService,
    private readonly store: IntegrationStore,
    private readonly box: SecretsBox,
  ) {
    this.tokens = openTokens(box, integration.sealedTokens);
  }

  get current(): TokenSet {
    return this.tokens;
  }

  async accessToken(): Promise<string> {
    if (this.tokens.expiresAt !== 0 && this.tokens.expiresAt - EARLY_REFRESH_MS <= Date.now()) await this.refresh();
    return this.tokens.accessToken;
  }

  /** Throws ServiceCallError "reauth" when the service refuses the refresh token. */
  async refresh(): Promise<string> {
    this.tokens = await this.service.refresh(this.tokens.refreshToken);
    await this.store.setTokens(this.integration.id, sealTokens(this.box, this.tokens));
    return this.tokens.accessToken;
  }
}
