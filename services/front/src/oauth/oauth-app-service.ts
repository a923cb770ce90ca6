import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { OAuthAppSchema, OAuthAppService, type OAuthApp } from "@imagegen/proto/imagegen/v1/oauth_app_service_pb";
import { hashSecret } from "../auth/key-verifier.ts";
import { principalOf } from "../rpc/principal-of.ts";
import type { OAuthAppRecord, OAuthStore } from "./oauth-store.ts";
import { checkRedirectUris } from "./redirect-uris.ts";

/**
 * OAuthAppService: an owner registers, lists, reads and deletes their applications. Only API
 * keys reach it (token-scope.ts); another owner's app reads as NOT_FOUND. A confidential app's
 * secret is returned once and kept as its SHA-256 only; deleting an app deletes every code,
 * grant and token issued to it in the same store every replica reads.
 */
export function registerOAuthAppService(router: ConnectRouter, store: OAuthStore): void {
  const mine = async (owner: string, clientId: string): Promise<OAuthAppRecord> => {
    const app = await store.findApp(clientId);
    if (!app || app.owner !== owner) throw apiError(ErrorReason.NOT_FOUND, `OAuth app ${clientId} not found`);
    return app;
  };
  router.service(OAuthAppService, {
    async createOAuthApp(req, ctx) {
      const principal = principalOf(ctx);
      checkRedirectUris(req.redirectUris);
      const secret = req.confidential ? `igs_${randomBytes(32).toString("base64url")}` : "";
      const app: OAuthAppRecord = {
        clientId: `app_${randomBytes(12).toString("base64url")}`,
        owner: principal.owner,
        keyId: principal.keyId,
        name: req.name,
        redirectUris: [...req.redirectUris],
        scopes: [...req.scopes],
        confidential: req.confidential,
        secretHashHex: secret ? hashSecret(secret).toString("hex") : "",
        createdAt: Math.floor(Date.now() / 1000) * 1000,
      };
      await store.insertApp(app);
      return { app: toMessage(app), ...(secret ? { clientSecret: secret } : {}) };
    },
    async listOAuthApps(_req, ctx) {
      return { apps: (await store.listApps(principalOf(ctx).owner)).map(toMessage) };
    },
    async getOAuthApp(req, ctx) {
      return { app: toMessage(await mine(principalOf(ctx).owner, req.clientId)) };
    },
    async deleteOAuthApp(req, ctx) {
      const owner = principalOf(ctx).owner;
      if (!(await store.deleteApp(owner, req.clientId)))
        throw apiError(ErrorReason.NOT_FOUND, `OAuth app ${req.clientId} not found`);
      return {};
    },
  });
}

function toMessage(app: OAuthAppRecord): OAuthApp {
  return create(OAuthAppSchema, {
    clientId: app.clientId,
    name: app.name,
    redirectUris: [...app.redirectUris],
    scopes: [...app.scopes],
    confidential: app.confidential,
    createdAt: timestampFromMs(app.createdAt),
  });
}
