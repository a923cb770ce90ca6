import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ImageGenClient, SDK_VERSION } from "../src/index.ts";
import { OPERATIONS } from "../src/generated/contract.ts";
import { OUTPUT_PATH, readContract, renderContract } from "../scripts/generate-contract.ts";
import { generation, json, scriptedFetch } from "./fake-fetch.ts";

describe("the SDK and the contract", () => {
  it("sends the version package.json publishes as X-Client-Version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });

  it("src/generated/contract.ts is what the generator makes from today's openapi.json", () => {
    expect(readFileSync(OUTPUT_PATH, "utf8"), "run: npm run generate:sdks").toBe(renderContract(readContract()));
  });

  // Every REST operation of the contract and the client method that calls it.
  const calls: Record<string, (c: ImageGenClient) => Promise<unknown>> = {
    ImageService_TextToImage: (c) => c.generate.textToImage({ prompt: "p" }),
    ImageService_ImageToImage: (c) => c.generate.imageToImage({ initImage: "https://x/i.png", prompt: "p" }),
    ImageService_Inpaint: (c) =>
      c.generate.inpaint({ initImage: "https://x/i.png", maskImage: "https://x/m.png", prompt: "p" }),
    ImageService_CreateVariations: (c) => c.generate.variations({ image: "https://x/i.png" }),
    ImageService_ApplyFilters: (c) =>
      c.process.filters({ imageUrl: "https://x/i.png", filters: [{ type: "blur", radius: 2 }] }),
    ImageService_RemoveBackground: (c) => c.process.removeBackground({ imageUrl: "https://x/i.png" }),
    ImageService_Upscale: (c) => c.process.upscale({ imageUrl: "https://x/i.png", scaleFactor: 2 }),
    ImageService_GetGeneration: (c) => c.generations.get("gen_1"),
    ImageService_ListGenerations: (c) => c.generations.list(),
    ImageService_CancelGeneration: (c) => c.generations.cancel("gen_1"),
    ImageService_WatchGeneration: async (c) => {
      for await (const e of c.generations.watch("gen_1")) void e;
    },
    ModelService_ListModels: (c) => c.models.list(),
    ModelService_GetModel: (c) => c.models.get("local"),
    GalleryService_ListGalleryItems: (c) => c.gallery.list(),
    GalleryService_AddGalleryItem: (c) => c.gallery.add({ imageId: "img_1" }),
    GalleryService_DeleteGalleryItem: (c) => c.gallery.delete("gal_1"),
    GalleryService_CreateCollection: (c) => c.collections.create({ name: "c" }),
    GalleryService_ListCollections: (c) => c.collections.list(),
    GalleryService_GetCollection: (c) => c.collections.get("col_1"),
    GalleryService_UpdateCollection: (c) => c.collections.update("col_1", { name: "d" }),
    GalleryService_DeleteCollection: (c) => c.collections.delete("col_1"),
    WebhookService_CreateWebhook: (c) =>
      c.webhooks.create({ url: "https://x/hook", events: ["generation.completed"], secret: "webhook_secret_key_123" }),
    WebhookService_ListWebhooks: (c) => c.webhooks.list(),
    WebhookService_GetWebhook: (c) => c.webhooks.get("wh_1"),
    WebhookService_UpdateWebhook: (c) => c.webhooks.update("wh_1", { active: false }),
    WebhookService_DeleteWebhook: (c) => c.webhooks.delete("wh_1"),
    WebhookService_ListWebhookDeliveries: (c) => c.webhooks.deliveries("wh_1"),
    WebhookService_GetDefaultWebhookSecret: (c) => c.webhooks.defaultSecret(),
    WebhookService_RotateDefaultWebhookSecret: (c) => c.webhooks.rotateDefaultSecret(),
    IntegrationService_ListIntegrationServices: (c) => c.integrations.services(),
    IntegrationService_GetAuthorizeUrl: (c) =>
      c.integrations.authorizeUrl("dropbox", { redirectUri: "https://app.example/cb" }),
    IntegrationService_CreateIntegration: (c) => c.integrations.connect({ service: "dropbox", authCode: "code" }),
    IntegrationService_ListIntegrations: (c) => c.integrations.list(),
    IntegrationService_GetIntegration: (c) => c.integrations.get("int_1"),
    IntegrationService_UpdateIntegration: (c) => c.integrations.update("int_1", { settings: { autoUpload: false } }),
    IntegrationService_DeleteIntegration: (c) => c.integrations.delete("int_1"),
    IntegrationService_ListIntegrationUploads: (c) => c.integrations.uploads("int_1"),
    UserService_GetProfile: (c) => c.user.profile(),
    UserService_UpdatePreferences: (c) => c.user.updatePreferences({ defaultModel: "local" }),
    OAuthAppService_CreateOAuthApp: (c) =>
      c.oauthApps.create({ name: "a", redirectUris: ["https://x/cb"], scopes: ["models:read"], confidential: false }),
    OAuthAppService_ListOAuthApps: (c) => c.oauthApps.list(),
    OAuthAppService_GetOAuthApp: (c) => c.oauthApps.get("app_1"),
    OAuthAppService_DeleteOAuthApp: (c) => c.oauthApps.delete("app_1"),
    AdminService_CreateApiKey: (c) => c.admin.keys.create({ owner: "o" }),
    AdminService_ListApiKeys: (c) => c.admin.keys.list(),
    AdminService_RevokeApiKey: (c) => c.admin.keys.revoke("key_1"),
  };

  it("has a client method for every operation of openapi.json", () => {
    expect(Object.keys(calls).sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  it.each(Object.entries(OPERATIONS))("%s is sent as its method and path", async (id, spec) => {
    const answer = spec.response === "Generation" ? generation() : {};
    const { fetch, seen } = scriptedFetch([
      () => (spec.response === null ? new Response(null, { status: 204 }) : json(200, answer)),
    ]);
    await calls[id]!(new ImageGenClient({ apiKey: "k", baseURL: "http://api.test", fetch }));
    const path = spec.path.replace(/\{\w+\}/, (_m) => "[^/?]+").replace(/[:]/g, ":");
    expect(seen[0]?.method).toBe(spec.method);
    expect(new URL(seen[0]!.url).pathname).toMatch(new RegExp(`^${path}$`));
  });
});
