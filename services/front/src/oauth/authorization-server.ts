import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import Provider, { type Configuration } from "oidc-provider";
import type { Logger } from "@imagegen/server-kit";
import type { Principal } from "../auth/principal.ts";
import type { KeyResolver } from "../auth/store-key-verifier.ts";
import { handleConsent } from "./consent-handler.ts";
import { errorPageHtml } from "./consent-page.ts";
import { OAUTH_SCOPE_NAMES } from "./oauth-scopes.ts";
import type { OAuthStore } from "./oauth-store.ts";
import { oauthKeys } from "./signing-keys.ts";
import { StoreAdapter } from "./store-adapter.ts";

/** The OAuth HTTP paths the front answers (the gateway forwards exactly these). */
export const OAUTH_PATH_PREFIX = "/oauth/";
export const OAUTH_DISCOVERY_PATH = "/.well-known/oauth-authorization-server";

export interface AuthorizationServerOptions {
  /** IMAGEGEN_PUBLIC_URL without a trailing slash: the `issuer`, and the base of every endpoint. */
  readonly issuer: string;
  readonly store: OAuthStore;
  /** API keys only: the consent page proves the user with one. */
  readonly resolveApiKey: KeyResolver;
  /** The principal of a key by id, or undefined once it is revoked: a token acts as that key. */
  readonly principalOfKey: (keyId: string, owner: string) => Promise<Principal | undefined>;
  /** The deployment's service secret: cookie and JWKS keys derive from it (signing-keys.ts). */
  readonly secret: Buffer;
  readonly accessTokenTtlS: number;
  readonly logger: Logger;
}

export interface AuthorizationServer {
  /** Answers /oauth/* and the discovery document; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** The principal an access token acts as (its key's, narrowed to the token's scopes), or undefined. */
  resolveToken(presented: string): Promise<Principal | undefined>;
}

/** The `accountId` of a grant: the consenting API key and its owner. Key ids hold no "/". */
export function accountIdOf(principal: Pick<Principal, "keyId" | "owner">): string {
  return `${principal.keyId}/${principal.owner}`;
}

/**
 * The authorization server (RFC 6749, 7636 PKCE, 7009 revocation, 7662 introspection, 8414
 * discovery) on oidc-provider, with every artifact in the front's store. We write no protocol
 * code: the library parses, validates and answers every OAuth request; we supply storage, the
 * consent page and the mapping from a token to the principal it acts as.
 */
export function createAuthorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  const keys = oauthKeys(options.secret);
  const principalOfAccount = (accountId: string): Promise<Principal | undefined> => {
    const slash = accountId.indexOf("/");
    return slash > 0
      ? options.principalOfKey(accountId.slice(0, slash), accountId.slice(slash + 1))
      : Promise.resolve(undefined);
  };
  const configuration: Configuration = {
    adapter: (name: string) => new StoreAdapter(name, options.store),
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"],
    responseTypes: ["code"],
    scopes: OAUTH_SCOPE_NAMES,
    claims: {},
    cookies: { keys: keys.cookieKeys },
    jwks: { keys: [keys.jwk as never] },
    enabledJWA: { idTokenSigningAlgValues: ["EdDSA"] },
    clientDefaults: { id_token_signed_response_alg: "EdDSA" },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: { enabled: false },
      // Off so that every endpoint is one the gateway forwards (/oauth/*) and every token is a
      // plain bearer token: the front checks no DPoP proofs, so it must issue no DPoP-bound token.
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
    },
    // Every authorization is approved on the consent page with an API key: only the grant that
    // page just recorded counts, none remembered from an earlier authorization in the browser.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return typeof grantId === "string" ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    routes: {
      authorization: "/oauth/authorize",
      token: "/oauth/token",
      revocation: "/oauth/revoke",
      introspection: "/oauth/introspect",
      jwks: "/oauth/jwks",
    },
    interactions: { url: (_ctx, interaction) => `/oauth/consent/${interaction.uid}` },
    allowOmittingSingleRegisteredRedirectUri: false,
    // Every code grant returns a refresh token (public apps too), rotated on every use; reusing
    // a rotated one is invalid_grant and revokes its whole grant (oidc-provider's refresh_token.js).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: options.accessTokenTtlS,
      ClientCredentials: options.accessTokenTtlS,
      AuthorizationCode: 60,
      RefreshToken: 30 * 24 * 3600,
      Grant: 30 * 24 * 3600,
      Interaction: 600,
      Session: 600,
    },
    // An account is the API key that approved the grant: once that key is revoked, refreshing
    // fails (invalid_grant) just as its access tokens already do.
    findAccount: async (_ctx, sub) =>
      (await principalOfAccount(sub)) ? { accountId: sub, claims: () => ({ sub }) } : undefined,
    // Browser apps call the token endpoint from their own origin; what they send proves itself.
    clientBasedCORS: () => true,
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = errorPageHtml(String(out.error), String(out.error_description ?? ""));
    },
  };
  const provider = new Provider(options.issuer, configuration);
  // The gateway in front of us says which scheme the client used (secure cookies over https).
  provider.proxy = true;
  // The stored client_secret is the secret's SHA-256: hash what the client sent, then compare.
  provider.Client.prototype.compareClientSecret = function compareHashed(
    this: { clientSecret?: string },
    actual: string,
  ) {
    const stored = Buffer.from(this.clientSecret ?? "", "hex");
    const presented = createHash("sha256").update(actual, "utf8").digest();
    return stored.length === presented.length && timingSafeEqual(stored, presented);
  };
  // oidc-provider always lists "openid" among the scopes; we offer no OpenID Connect, so the
  // discovery document names exactly the scopes an app may register (a documented post-middleware).
  provider.use(async (ctx, next) => {
    await next();
    if (
      ctx.path === OAUTH_DISCOVERY_PATH &&
      ctx.body &&
      typeof ctx.body === "object" &&
      "scopes_supported" in ctx.body
    ) {
      (ctx.body as { scopes_supported: string[] }).scopes_supported = [...OAUTH_SCOPE_NAMES];
    }
  });
  // Library errors are logged by name only: a description could quote a parameter.
  provider.on("server_error", (_ctx, error: Error) =>
    options.logger.error("oauth server error", { error: error.name }),
  );
  const callback = provider.callback();

  return {
    handle(req, res) {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      if (path !== OAUTH_DISCOVERY_PATH && !path.startsWith(OAUTH_PATH_PREFIX)) return false;
      if (path.startsWith("/oauth/consent/")) {
        void handleConsent(req, res, {
          provider,
          store: options.store,
          resolveApiKey: options.resolveApiKey,
          logger: options.logger,
        });
        return true;
      }
      callback(req, res);
      return true;
    },
    async resolveToken(presented) {
      const token = (await provider.AccessToken.find(presented)) ?? (await provider.ClientCredentials.find(presented));
      if (!token || token.isExpired || !token.clientId) return undefined;
      const app = await options.store.findApp(token.clientId);
      if (!app) return undefined;
      const accountId =
        "accountId" in token && typeof token.accountId === "string" ? token.accountId : accountIdOf(app);
      const principal = await principalOfAccount(accountId);
      if (!principal) return undefined;
      return {
        ...principal,
        admin: false,
        oauth: { clientId: app.clientId, scopes: (token.scope ?? "").split(" ").filter(Boolean) },
      };
    },
  };
}
