import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { AdminService, ApiKeySchema, type ApiKey } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { createApiKey } from "../auth/api-keys.ts";
import type { ApiKeyRecord, Store } from "../store/store.ts";

/**
 * AdminService: key management over the API. The auth interceptor already refused callers
 * without the admin scope; the secret leaves only in the create response.
 */
export function registerAdminService(router: ConnectRouter, store: Store): void {
  router.service(AdminService, {
    async createApiKey(req) {
      const { key, secret } = await createApiKey(store, {
        owner: req.owner,
        name: req.name,
        tier: req.tier,
        admin: req.admin,
        allowedModels: req.allowedModels,
        allowedProviders: req.allowedProviders,
        monthlyCreditQuota: req.monthlyCreditQuota,
      });
      return { key: toApiKeyMessage(key), secret };
    },
    async listApiKeys(req) {
      const keys = await store.listApiKeys({ owner: req.owner || undefined, includeRevoked: req.includeRevoked });
      return { keys: keys.map(toApiKeyMessage) };
    },
    async revokeApiKey(req) {
      const key = await store.revokeApiKey(req.id, Date.now());
      if (!key) throw apiError(ErrorReason.NOT_FOUND, `API key ${req.id} not found`);
      return toApiKeyMessage(key);
    },
  });
}

/** The public description of a key: everything but its digest. */
export function toApiKeyMessage(key: ApiKeyRecord): ApiKey {
  return create(ApiKeySchema, {
    id: key.id,
    owner: key.owner,
    name: key.name,
    tier: key.tier,
    admin: key.admin,
    allowedModels: [...key.allowedModels],
    allowedProviders: [...key.allowedProviders],
    createdAt: timestampFromMs(key.createdAt),
    revokedAt: key.revokedAt === undefined ? undefined : timestampFromMs(key.revokedAt),
    monthlyCreditQuota: key.monthlyCreditQuota,
  });
}
