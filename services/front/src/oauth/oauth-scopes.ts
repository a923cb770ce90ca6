/** The scopes an application may ask for (seed 004), with the words the consent page shows. */
export const OAUTH_SCOPES = {
  "images:generate":
    "Generate and process images (text-to-image, image-to-image, inpaint, variations, filters, upscale, background removal) and cancel generations",
  "images:read": "See your generations and their images",
  "models:read": "See the model catalog",
  "gallery:read": "See your gallery and collections",
  "gallery:write": "Add to and change your gallery and collections",
  "webhooks:manage": "Register, change and delete your webhooks",
  "profile:read": "See your profile and usage",
} as const;

export type OAuthScope = keyof typeof OAUTH_SCOPES;

export const OAUTH_SCOPE_NAMES = Object.keys(OAUTH_SCOPES) as OAuthScope[];

/** Every RPC an access token may call, with the scope it needs. A method not listed needs an API key. */
const REQUIRED_SCOPES: Readonly<Record<string, OAuthScope | "none">> = {
  "imagegen.v1.ImageService/TextToImage": "images:generate",
  "imagegen.v1.ImageService/ImageToImage": "images:generate",
  "imagegen.v1.ImageService/Inpaint": "images:generate",
  "imagegen.v1.ImageService/CreateVariations": "images:generate",
  "imagegen.v1.ImageService/ApplyFilters": "images:generate",
  "imagegen.v1.ImageService/RemoveBackground": "images:generate",
  "imagegen.v1.ImageService/Upscale": "images:generate",
  "imagegen.v1.ImageService/CancelGeneration": "images:generate",
  "imagegen.v1.ImageService/GetGeneration": "images:read",
  "imagegen.v1.ImageService/ListGenerations": "images:read",
  "imagegen.v1.ImageService/WatchGeneration": "images:read",
  "imagegen.v1.ModelService/ListModels": "models:read",
  "imagegen.v1.ModelService/GetModel": "models:read",
  "imagegen.v1.GalleryService/ListGalleryItems": "gallery:read",
  "imagegen.v1.GalleryService/ListCollections": "gallery:read",
  "imagegen.v1.GalleryService/GetCollection": "gallery:read",
  "imagegen.v1.GalleryService/AddGalleryItem": "gallery:write",
  "imagegen.v1.GalleryService/DeleteGalleryItem": "gallery:write",
  "imagegen.v1.GalleryService/CreateCollection": "gallery:write",
  "imagegen.v1.GalleryService/UpdateCollection": "gallery:write",
  "imagegen.v1.GalleryService/DeleteCollection": "gallery:write",
  "imagegen.v1.WebhookService/CreateWebhook": "webhooks:manage",
  "imagegen.v1.WebhookService/ListWebhooks": "webhooks:manage",
  "imagegen.v1.WebhookService/GetWebhook": "webhooks:manage",
  "imagegen.v1.WebhookService/UpdateWebhook": "webhooks:manage",
  "imagegen.v1.WebhookService/DeleteWebhook": "webhooks:manage",
  "imagegen.v1.WebhookService/ListWebhookDeliveries": "webhooks:manage",
  "imagegen.v1.WebhookService/GetDefaultWebhookSecret": "webhooks:manage",
  "imagegen.v1.WebhookService/RotateDefaultWebhookSecret": "webhooks:manage",
  "imagegen.v1.UserService/GetProfile": "profile:read",
  // The gateway's check of a credential before it reads a body: any valid token passes it.
  "imagegen.edge.v1.EdgeService/CheckCredential": "none",
};

/**
 * The scope an access token needs for `service/method`: "none" when any token may call it,
 * undefined when only an API key may (app registration, admin, preferences, and any RPC added
 * later until it is listed here: new methods are closed to tokens by default).
 */
export function requiredScope(service: string, method: string): OAuthScope | "none" | undefined {
  return REQUIRED_SCOPES[`${service}/${method}`];
}
