import type * as api from "./generated/contract.js";
import { callOperation } from "./call.js";
import { ImageGenError } from "./errors.js";
import { Generations, isTerminal, type WaitOptions } from "./generations.js";
import {
  AdminApi,
  CollectionsApi,
  GalleryApi,
  IntegrationsApi,
  ModelsApi,
  OAuthAppsApi,
  ProcessApi,
  UserApi,
  WebhooksApi,
} from "./resources.js";
import type { TransportConfig } from "./transport.js";
import { verifyWebhook, type WebhookEvent, type WebhookHeaders } from "./webhooks.js";

/** Options of `new ImageGenClient(...)`. */
export interface ClientOptions {
  /** An API key or an OAuth access token (default: the IMAGEGEN_API_KEY environment variable). */
  readonly apiKey?: string;
  /** The server root, e.g. "http://localhost:8080" (default: IMAGEGEN_BASE_URL, else https://api.imagegen.app). */
  readonly baseURL?: string;
  /** Retries of a call answered 429 or 503 (default 2). */
  readonly maxRetries?: number;
  /** The longest Retry-After waited for, in ms; a longer one is thrown at once (default 60 000). */
  readonly maxRetryDelayMs?: number;
  /** Time bound of each attempt until the answer's headers arrive, in ms (default 180 000). */
  readonly timeoutMs?: number;
  /** Your fetch (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Headers sent with every call. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of a create call (generate.*). */
export interface CreateOptions extends WaitOptions {
  /**
   * Answer at once with the generation still pending (`Prefer: respond-async`) instead of
   * waiting for it; then use generations.wait or watch. Default false: the call resolves with
   * the finished generation and throws ImageGenError when it failed or was canceled.
   */
  readonly respondAsync?: boolean;
}

export const SDK_VERSION = "0.1.0";
export const DEFAULT_BASE_URL = "https://api.imagegen.app";

const env = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name] || undefined;

/** The imagegen API: one namespace per part of it, camelCase in and out. */
export class ImageGenClient {
  readonly generate: GenerateApi;
  readonly process: ProcessApi;
  readonly generations: Generations;
  readonly models: ModelsApi;
  readonly gallery: GalleryApi;
  readonly collections: CollectionsApi;
  readonly webhooks: WebhooksApi;
  readonly integrations: IntegrationsApi;
  readonly user: UserApi;
  readonly oauthApps: OAuthAppsApi;
  readonly admin: AdminApi;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? env("IMAGEGEN_API_KEY");
    if (!apiKey) throw new TypeError("ImageGenClient: apiKey is required (or set IMAGEGEN_API_KEY)");
    const config: TransportConfig = {
      apiKey,
      baseURL: options.baseURL ?? env("IMAGEGEN_BASE_URL") ?? DEFAULT_BASE_URL,
      maxRetries: options.maxRetries ?? 2,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 180_000,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      headers: { "x-client-version": SDK_VERSION, ...options.headers },
    };
    this.generations = new Generations(config);
    this.generate = new GenerateApi(config, this.generations);
    this.process = new ProcessApi(config);
    this.models = new ModelsApi(config);
    this.gallery = new GalleryApi(config);
    this.collections = new CollectionsApi(config);
    this.webhooks = new WebhooksApi(config);
    this.integrations = new IntegrationsApi(config);
    this.user = new UserApi(config);
    this.oauthApps = new OAuthAppsApi(config);
    this.admin = new AdminApi(config);
  }

  /** Verifies a webhook delivery and returns its event; see verifyWebhook. */
  static verifyWebhook(payload: string | Uint8Array, headers: WebhookHeaders, secret: string): Promise<WebhookEvent> {
    return verifyWebhook(payload, headers, secret);
  }
}

/** `client.generate`: the create calls; each resolves with the finished Generation. */
export class GenerateApi {
  constructor(
    private readonly config: TransportConfig,
    private readonly generations: Generations,
  ) {}

  /** POST /api/v2/generate/text-to-image. */
  textToImage(request: api.TextToImageRequest, options?: CreateOptions): Promise<api.Generation> {
    return this.create("ImageService_TextToImage", request, options);
  }
  /** POST /api/v2/generate/image-to-image. */
  imageToImage(request: api.ImageToImageRequest, options?: CreateOptions): Promise<api.Generation> {
    return this.create("ImageService_ImageToImage", request, options);
  }
  /** POST /api/v2/generate/inpaint. */
  inpaint(request: api.InpaintRequest, options?: CreateOptions): Promise<api.Generation> {
    return this.create("ImageService_Inpaint", request, options);
  }
  /** POST /api/v2/generate/variations. */
  variations(request: api.CreateVariationsRequest, options?: CreateOptions): Promise<api.Generation> {
    return this.create("ImageService_CreateVariations", request, options);
  }

  private async create(id: api.OperationId, body: unknown, options: CreateOptions = {}): Promise<api.Generation> {
    const headers = options.respondAsync ? { prefer: "respond-async", ...options.headers } : options.headers;
    let generation = await callOperation<api.Generation>(this.config, id, { body }, { ...options, headers });
    if (options.respondAsync) return generation;
    // The server answers 202 when the generation outlives its wait bound: keep waiting here.
    if (!isTerminal(generation)) generation = await this.generations.wait(generation.id, options);
    if (generation.status === "failed") {
      const code = (generation.error?.reason ?? "generation_failed").toUpperCase();
      throw ImageGenError.fromCode(code, `generation ${generation.id} failed: ${generation.error?.message ?? ""}`);
    }
    if (generation.status === "canceled")
      throw ImageGenError.fromCode("CANCELED", `generation ${generation.id} was canceled`);
    return generation;
  }
}
