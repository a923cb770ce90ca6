import type * as api from "./generated/contract.js";
import { callOperation } from "./call.js";
import type { RequestOptions, TransportConfig } from "./transport.js";

// The namespaces of the API's resources: each method is one REST operation of the contract,
// camelCase in and out, answered with the REST body as documented.

/** `client.process`: image operations on an image you already have. */
export class ProcessApi {
  constructor(private readonly config: TransportConfig) {}
  /** POST /api/v2/process/filters. */
  filters(request: api.ApplyFiltersRequest, options?: RequestOptions): Promise<api.ApplyFiltersResponse> {
    return callOperation(this.config, "ImageService_ApplyFilters", { body: request }, options);
  }
  /** POST /api/v2/process/remove-background. */
  removeBackground(
    request: api.RemoveBackgroundRequest,
    options?: RequestOptions,
  ): Promise<api.RemoveBackgroundResponse> {
    return callOperation(this.config, "ImageService_RemoveBackground", { body: request }, options);
  }
  /** POST /api/v2/process/upscale. */
  upscale(request: api.UpscaleRequest, options?: RequestOptions): Promise<api.UpscaleResponse> {
    return callOperation(this.config, "ImageService_Upscale", { body: request }, options);
  }
}

/** `client.models`. */
export class ModelsApi {
  constructor(private readonly config: TransportConfig) {}
  /** GET /api/v2/models (optionally only those with one capability, e.g. "inpainting"). */
  list(query: { capability?: string } = {}, options?: RequestOptions): Promise<api.ListModelsResponse> {
    return callOperation(this.config, "ModelService_ListModels", { query }, options);
  }
  /** GET /api/v2/models/{model_id}. */
  get(modelId: string, options?: RequestOptions): Promise<api.GetModelResponse> {
    return callOperation(this.config, "ModelService_GetModel", { params: { model_id: modelId } }, options);
  }
}

/** Query of gallery.list (seed 004's parameters; `tags` may be a list). */
export interface GalleryQuery {
  page?: number;
  limit?: number;
  sort?: string;
  order?: "asc" | "desc";
  tags?: string | readonly string[];
  model?: string;
  dateFrom?: string;
  dateTo?: string;
}

/** `client.gallery`. */
export class GalleryApi {
  constructor(private readonly config: TransportConfig) {}
  /** GET /api/v2/gallery. */
  list(query: GalleryQuery = {}, options?: RequestOptions): Promise<api.ListGalleryItemsResponse> {
    return callOperation(this.config, "GalleryService_ListGalleryItems", { query }, options);
  }
  /** POST /api/v2/gallery/items. */
  add(request: api.AddGalleryItemRequest, options?: RequestOptions): Promise<api.GalleryItemResponse> {
    return callOperation(this.config, "GalleryService_AddGalleryItem", { body: request }, options);
  }
  /** DELETE /api/v2/gallery/items/{id}. */
  delete(id: string, options?: RequestOptions): Promise<void> {
    return callOperation(this.config, "GalleryService_DeleteGalleryItem", { params: { id } }, options);
  }
}

/** `client.collections`. */
export class CollectionsApi {
  constructor(private readonly config: TransportConfig) {}
  /** POST /api/v2/collections. */
  create(request: api.CreateCollectionRequest, options?: RequestOptions): Promise<api.CollectionResponse> {
    return callOperation(this.config, "GalleryService_CreateCollection", { body: request }, options);
  }
  /** GET /api/v2/collections. */
  list(
    query: { pageSize?: number; pageToken?: string } = {},
    options?: RequestOptions,
  ): Promise<api.ListCollectionsResponse> {
    return callOperation(this.config, "GalleryService_ListCollections", { query }, options);
  }
  /** GET /api/v2/collections/{id}. */
  get(id: string, options?: RequestOptions): Promise<api.CollectionResponse> {
    return callOperation(this.config, "GalleryService_GetCollection", { params: { id } }, options);
  }
  /** PATCH /api/v2/collections/{id}: changes the fields given. */
  update(id: string, changes: api.UpdateCollectionRequest, options?: RequestOptions): Promise<api.CollectionResponse> {
    return callOperation(this.config, "GalleryService_UpdateCollection", { params: { id }, body: changes }, options);
  }
  /** DELETE /api/v2/collections/{id}. */
  delete(id: string, options?: RequestOptions): Promise<void> {
    return callOperation(this.config, "GalleryService_DeleteCollection", { params: { id } }, options);
  }
}

/** `client.integrations`: the owner's Dropbox / Google Drive, where finished images are uploaded. */
export class IntegrationsApi {
  constructor(private readonly config: TransportConfig) {}
  /** GET /api/v2/integrations/services: which services this deployment can connect. */
  services(options?: RequestOptions): Promise<api.ListIntegrationServicesResponse> {
    return callOperation(this.config, "IntegrationService_ListIntegrationServices", {}, options);
  }
  /** GET /api/v2/integrations/{service}/authorize-url: the consent page, its state and PKCE code_verifier. */
  authorizeUrl(
    service: "dropbox" | "google_drive",
    query: { redirectUri?: string } = {},
    options?: RequestOptions,
  ): Promise<api.AuthorizeUrl> {
    return callOperation(this.config, "IntegrationService_GetAuthorizeUrl", { params: { service }, query }, options);
  }
  /** POST /api/v2/integrations/connect: exchanges the authorization code and connects the account. */
  connect(request: api.CreateIntegrationRequest, options?: RequestOptions): Promise<api.IntegrationResponse> {
    return callOperation(this.config, "IntegrationService_CreateIntegration", { body: request }, options);
  }
  /** GET /api/v2/integrations. */
  list(options?: RequestOptions): Promise<api.ListIntegrationsResponse> {
    return callOperation(this.config, "IntegrationService_ListIntegrations", {}, options);
  }
  /** GET /api/v2/integrations/{id}. */
  get(id: string, options?: RequestOptions): Promise<api.IntegrationResponse> {
    return callOperation(this.config, "IntegrationService_GetIntegration", { params: { id } }, options);
  }
  /** PATCH /api/v2/integrations/{id}: changes the settings given. */
  update(
    id: string,
    changes: api.UpdateIntegrationRequest,
    options?: RequestOptions,
  ): Promise<api.IntegrationResponse> {
    return callOperation(
      this.config,
      "IntegrationService_UpdateIntegration",
      { params: { id }, body: changes },
      options,
    );
  }
  /** DELETE /api/v2/integrations/{id}: revokes the token at the service; nothing is uploaded after it. */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await callOperation(this.config, "IntegrationService_DeleteIntegration", { params: { id } }, options);
  }
  /** GET /api/v2/integrations/{id}/uploads: newest first. */
  uploads(
    id: string,
    query: { pageSize?: number } = {},
    options?: RequestOptions,
  ): Promise<api.ListIntegrationUploadsResponse> {
    return callOperation(this.config, "IntegrationService_ListIntegrationUploads", { params: { id }, query }, options);
  }
}

/** `client.webhooks`. */
export class WebhooksApi {
  constructor(private readonly config: TransportConfig) {}
  /** POST /api/v2/webhooks (a generated `whsec_` secret is in the answer, once). */
  create(request: api.CreateWebhookRequest, options?: RequestOptions): Promise<api.WebhookResponse> {
    return callOperation(this.config, "WebhookService_CreateWebhook", { body: request }, options);
  }
  /** GET /api/v2/webhooks. */
  list(options?: RequestOptions): Promise<api.ListWebhooksResponse> {
    return callOperation(this.config, "WebhookService_ListWebhooks", {}, options);
  }
  /** GET /api/v2/webhooks/{id}. */
  get(id: string, options?: RequestOptions): Promise<api.WebhookResponse> {
    return callOperation(this.config, "WebhookService_GetWebhook", { params: { id } }, options);
  }
  /** PATCH /api/v2/webhooks/{id}: changes the fields given. */
  update(id: string, changes: api.UpdateWebhookRequest, options?: RequestOptions): Promise<api.WebhookResponse> {
    return callOperation(this.config, "WebhookService_UpdateWebhook", { params: { id }, body: changes }, options);
  }
  /** DELETE /api/v2/webhooks/{id}. */
  delete(id: string, options?: RequestOptions): Promise<void> {
    return callOperation(this.config, "WebhookService_DeleteWebhook", { params: { id } }, options);
  }
  /** GET /api/v2/webhooks/{id}/deliveries: every delivery attempt. */
  deliveries(
    id: string,
    query: { pageSize?: number; pageToken?: string } = {},
    options?: RequestOptions,
  ): Promise<api.ListWebhookDeliveriesResponse> {
    return callOperation(this.config, "WebhookService_ListWebhookDeliveries", { params: { id }, query }, options);
  }
  /** GET /api/v2/webhooks/default/secret: the secret that signs requests' own webhook_url events. */
  defaultSecret(options?: RequestOptions): Promise<api.WebhookSecret> {
    return callOperation(this.config, "WebhookService_GetDefaultWebhookSecret", {}, options);
  }
  /** POST /api/v2/webhooks/default/secret:rotate: a new default secret; the old one signs nothing more. */
  rotateDefaultSecret(options?: RequestOptions): Promise<api.WebhookSecret> {
    return callOperation(this.config, "WebhookService_RotateDefaultWebhookSecret", {}, options);
  }
}

/** `client.user`. */
export class UserApi {
  constructor(private readonly config: TransportConfig) {}
  /** GET /api/v2/user/profile. */
  profile(options?: RequestOptions): Promise<api.GetProfileResponse> {
    return callOperation(this.config, "UserService_GetProfile", {}, options);
  }
  /** PATCH /api/v2/user/preferences. */
  updatePreferences(preferences: api.Preferences, options?: RequestOptions): Promise<api.GetProfileResponse> {
    return callOperation(this.config, "UserService_UpdatePreferences", { body: preferences }, options);
  }
}

/** `client.oauthApps`: third-party applications that act for users through OAuth 2.0 (API keys only). */
export class OAuthAppsApi {
  constructor(private readonly config: TransportConfig) {}
  /** POST /api/v2/oauth/apps (a confidential app's `clientSecret` is in the answer, once). */
  create(request: api.CreateOAuthAppRequest, options?: RequestOptions): Promise<api.CreateOAuthAppResponse> {
    return callOperation(this.config, "OAuthAppService_CreateOAuthApp", { body: request }, options);
  }
  /** GET /api/v2/oauth/apps. */
  list(options?: RequestOptions): Promise<api.ListOAuthAppsResponse> {
    return callOperation(this.config, "OAuthAppService_ListOAuthApps", {}, options);
  }
  /** GET /api/v2/oauth/apps/{client_id}. */
  get(clientId: string, options?: RequestOptions): Promise<api.GetOAuthAppResponse> {
    return callOperation(this.config, "OAuthAppService_GetOAuthApp", { params: { client_id: clientId } }, options);
  }
  /** DELETE /api/v2/oauth/apps/{client_id}: every code and token of the app is revoked at once. */
  delete(clientId: string, options?: RequestOptions): Promise<void> {
    return callOperation(this.config, "OAuthAppService_DeleteOAuthApp", { params: { client_id: clientId } }, options);
  }
}

/** `client.admin.keys`: API-key administration (admin keys only). */
export class AdminApi {
  readonly keys: {
    create(request: api.CreateApiKeyRequest, options?: RequestOptions): Promise<api.CreateApiKeyResponse>;
    list(
      query?: { owner?: string; includeRevoked?: boolean },
      options?: RequestOptions,
    ): Promise<api.ListApiKeysResponse>;
    revoke(id: string, options?: RequestOptions): Promise<api.ApiKey>;
  };
  constructor(config: TransportConfig) {
    this.keys = {
      create: (request, options) => callOperation(config, "AdminService_CreateApiKey", { body: request }, options),
      list: (query = {}, options) => callOperation(config, "AdminService_ListApiKeys", { query }, options),
      revoke: (id, options) => callOperation(config, "AdminService_RevokeApiKey", { params: { id } }, options),
    };
  }
}
