import { createHash, randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  IntegrationSchema,
  IntegrationService,
  type Integration,
} from "@imagegen/proto/imagegen/v1/integration_service_pb";
import { principalOf } from "../rpc/principal-of.ts";
import { SERVICE_NAMES } from "./integration-config.ts";
import { DEFAULT_FILE_NAMING, PLACEHOLDERS, unknownPlaceholders } from "./file-naming.ts";
import {
  SERVICE_IDS,
  type IntegrationRecord,
  type IntegrationSettingsRecord,
  type IntegrationStore,
  type ServiceId,
} from "./integration-store.ts";
import { openTokens, sealTokens } from "./integration-tokens.ts";
import type { IntegrationUploader } from "./integration-uploader.ts";
import type { SecretsBox } from "./secrets-box.ts";
import { ServiceCallError, type StorageService } from "./storage-service.ts";

export interface IntegrationDeps {
  readonly store: IntegrationStore;
  /** The configured services only: one missing here is "not available". */
  readonly services: ReadonlyMap<ServiceId, StorageService>;
  readonly box: SecretsBox;
  readonly uploader: IntegrationUploader;
}

export const DEFAULT_FOLDER = "/imagegen";
const DEFAULT_PAGE = 50;

/** IntegrationService: every integration belongs to its key's owner (another owner's is NOT_FOUND). */
export function registerIntegrationService(router: ConnectRouter, deps: IntegrationDeps): void {
  const { store } = deps;
  const mine = async (owner: string, id: string): Promise<IntegrationRecord> => {
    const found = await store.get(owner, id);
    if (!found) throw apiError(ErrorReason.NOT_FOUND, `integration ${id} not found`);
    return found;
  };
  const configured = (service: string): StorageService => {
    const client = deps.services.get(service as ServiceId);
    if (!client)
      throw apiError(
        ErrorReason.PROVIDER_NOT_CONFIGURED,
        `${service} is not configured on this deployment (the operator sets its app credentials)`,
      );
    return client;
  };
  router.service(IntegrationService, {
    async createIntegration(req, ctx) {
      const owner = principalOf(ctx).owner;
      const service = configured(req.service);
      const settings = settingsOf(req.settings ?? {});
      const tokens = await serviceCall(() =>
        service.exchangeCode({
          code: req.authCode,
          redirectUri: req.redirectUri || undefined,
          codeVerifier: req.codeVerifier || undefined,
        }),
      );
      const account = await serviceCall(() => service.account(tokens.accessToken));
      const record: IntegrationRecord = {
        id: `int_${randomBytes(12).toString("base64url")}`,
        owner,
        service: service.id,
        accountId: account.id,
        accountName: account.name,
        accountEmail: account.email,
        settings,
        status: "active",
        sealedTokens: sealTokens(deps.box, tokens),
        connectedAt: Math.floor(Date.now() / 1000) * 1000,
      };
      await store.insert(record);
      return { integration: toMessage(record) };
    },
    async listIntegrations(_, ctx) {
      return { integrations: (await store.list(principalOf(ctx).owner)).map(toMessage) };
    },
    async listIntegrationServices() {
      return { services: SERVICE_IDS.map((id) => ({ id, name: SERVICE_NAMES[id], available: deps.services.has(id) })) };
    },
    async getAuthorizeUrl(req) {
      const service = configured(req.service);
      if (service.id === "google_drive" && !req.redirectUri)
        throw apiError(
          ErrorReason.INVALID_REQUEST,
          "redirect_uri is required for google_drive (Google always redirects)",
        );
      const state = randomBytes(24).toString("base64url");
      // 64 characters of [A-Za-z0-9_-]: within PKCE's 43-128.
      const codeVerifier = randomBytes(48).toString("base64url");
      const codeChallenge = createHash("sha256").update(codeVerifier).digest("base64url");
      return {
        url: service.authorizeUrl({ redirectUri: req.redirectUri || undefined, state, codeChallenge }),
        state,
        codeVerifier,
      };
    },
    async getIntegration(req, ctx) {
      return { integration: toMessage(await mine(principalOf(ctx).owner, req.id)) };
    },
    async updateIntegration(req, ctx) {
      const owner = principalOf(ctx).owner;
      const current = await mine(owner, req.id);
      const patch: { autoUpload?: boolean; folderPath?: string; fileNaming?: string } = req.settings ?? {};
      const settings = settingsOf({
        autoUpload: patch.autoUpload ?? current.settings.autoUpload,
        folderPath: patch.folderPath ?? current.settings.folderPath,
        fileNaming: patch.fileNaming ?? current.settings.fileNaming,
      });
      await store.updateSettings(owner, req.id, settings);
      return { integration: toMessage({ ...current, settings }) };
    },
    async deleteIntegration(req, ctx) {
      const current = await mine(principalOf(ctx).owner, req.id);
      if (current.status === "disconnected") return {};
      const service = deps.services.get(current.service);
      if (service && current.sealedTokens) {
        try {
          await service.revoke(openTokens(deps.box, current.sealedTokens));
        } catch (error) {
          // A token the service no longer knows is revoked already; an unreachable service is not.
          if (!(error instanceof ServiceCallError) || error.failure === "retry") {
            throw apiError(
              ErrorReason.UPSTREAM_UNAVAILABLE,
              `${current.service} could not be reached to revoke the token; try again`,
            );
          }
        }
      }
      await store.setStatus(current.id, "disconnected");
      await store.setTokens(current.id, "");
      await deps.uploader.failOpen(current, "disconnected");
      return {};
    },
    async listIntegrationUploads(req, ctx) {
      await mine(principalOf(ctx).owner, req.id);
      const uploads = await store.listUploads(req.id, req.pageSize || DEFAULT_PAGE);
      return {
        uploads: uploads.map((u) => ({
          id: u.id,
          imageId: u.imageId,
          generationId: u.generationId,
          status: u.status,
          remotePath: u.remotePath,
          attempts: u.attempts,
          lastError: u.lastError,
          updatedAt: timestampFromMs(u.updatedAt),
        })),
      };
    },
  });
}

/** Settings with defaults, the template checked (an unknown placeholder is a client error). */
function settingsOf(given: {
  autoUpload?: boolean;
  folderPath?: string;
  fileNaming?: string;
}): IntegrationSettingsRecord {
  const fileNaming = given.fileNaming || DEFAULT_FILE_NAMING;
  const unknown = unknownPlaceholders(fileNaming);
  if (unknown.length > 0) {
    throw apiError(
      ErrorReason.INVALID_REQUEST,
      `settings.file_naming: unknown placeholder {${unknown[0]}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}`,
    );
  }
  return { autoUpload: given.autoUpload ?? true, folderPath: given.folderPath || DEFAULT_FOLDER, fileNaming };
}

/** A service failure as our error: a refused code is the client's, anything else the service's. */
async function serviceCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ServiceCallError)) throw error;
    if (error.failure === "retry") throw apiError(ErrorReason.UPSTREAM_UNAVAILABLE, error.message);
    throw apiError(ErrorReason.INVALID_REQUEST, error.message);
  }
}

function toMessage(r: IntegrationRecord): Integration {
  return create(IntegrationSchema, {
    id: r.id,
    service: r.service,
    account: { id: r.accountId, name: r.accountName, email: r.accountEmail },
    settings: {
      autoUpload: r.settings.autoUpload,
      folderPath: r.settings.folderPath,
      fileNaming: r.settings.fileNaming,
    },
    status: r.status,
    connectedAt: timestampFromMs(r.connectedAt),
  });
}
