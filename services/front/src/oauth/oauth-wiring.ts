import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger, UniversalRequestHandler } from "@imagegen/server-kit";
import type { KnownKey } from "../auth/key-verifier.ts";
import type { Principal } from "../auth/principal.ts";
import { principalOfKeyRecord, type KeyResolver } from "../auth/store-key-verifier.ts";
import type { State } from "../store/open-state.ts";
import type { Store } from "../store/store.ts";
import { createAuthorizationServer } from "./authorization-server.ts";

/** Access tokens live an hour unless IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S says otherwise. */
const DEFAULT_ACCESS_TOKEN_TTL_S = 3600;

export interface OAuthWiringOptions {
  readonly env: NodeJS.ProcessEnv;
  /** IMAGEGEN_PUBLIC_URL: the issuer. */
  readonly publicBaseUrl: string;
  readonly state: State;
  readonly store: Store;
  readonly bootstrapKeys: () => readonly KnownKey[];
  readonly resolveApiKey: KeyResolver;
  readonly secret: Buffer;
  readonly logger: Logger;
}

/** The front's OAuth pieces: the token resolver for the auth interceptor and the HTTP routes. */
export function createOAuth(options: OAuthWiringOptions): {
  resolveToken: KeyResolver;
  withHttpRoutes(rpc: UniversalRequestHandler): UniversalRequestHandler;
} {
  const server = createAuthorizationServer({
    issuer: options.publicBaseUrl.replace(/\/+$/, ""),
    store: options.state.oauth,
    resolveApiKey: options.resolveApiKey,
    principalOfKey: (keyId, owner) => principalOfKey(options, keyId, owner),
    secret: options.secret,
    accessTokenTtlS: accessTokenTtl(options.env),
    logger: options.logger,
  });
  return {
    resolveToken: (presented) => server.resolveToken(presented),
    withHttpRoutes: (rpc) => (req, res) => {
      if (!server.handle(req as IncomingMessage, res as ServerResponse)) rpc(req, res);
    },
  };
}

/** A token acts as the key that authorized it, as long as that key is not revoked. */
async function principalOfKey(
  options: OAuthWiringOptions,
  keyId: string,
  owner: string,
): Promise<Principal | undefined> {
  const bootstrap = options.bootstrapKeys().find((k) => k.principal.keyId === keyId && k.principal.owner === owner);
  if (bootstrap) return bootstrap.principal;
  const key = (await options.store.listApiKeys({ owner })).find((k) => k.id === keyId);
  return key && principalOfKeyRecord(key);
}

/** IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S, checked at start: a bad value stops the front with a clear line. */
export function accessTokenTtl(env: NodeJS.ProcessEnv): number {
  const raw = env.IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S;
  if (raw === undefined || raw === "") return DEFAULT_ACCESS_TOKEN_TTL_S;
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 86_400)
    throw new Error(
      `IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S must be a whole number of seconds from 60 to 86400, not "${raw}"`,
    );
  return ttl;
}
