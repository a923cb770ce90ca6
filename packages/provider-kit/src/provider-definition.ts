import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Logger } from "@imagegen/server-kit";
import type {
  GenerateRequest,
  ModelLimitsSchema,
  ProviderModel,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { Sleep } from "./deadline.ts";
import type { HttpClient } from "./http-client.ts";
import type { VendorErrorMapper } from "./upstream-errors.ts";

/** One model a provider declares, as data: what it accepts is checked before any upstream call. */
export interface ModelDeclaration {
  /** The vendor's own model id, e.g. "black-forest-labs/flux-schnell". */
  readonly id: string;
  readonly displayName: string;
  /** USD per output image, for the catalog; 0 when free or unknown. */
  readonly usdPerImage: number;
  readonly limits: MessageInitShape<typeof ModelLimitsSchema>;
}

/** What a provider's `generate` yields; the kit turns it into the contract's stream. */
export type ProviderEvent =
  /** The vendor accepted the job under this id (its prediction/task id). */
  | { readonly type: "accepted"; readonly jobId: string }
  /** Progress from 0 to 1 with the vendor's own words. */
  | { readonly type: "progress"; readonly fraction: number; readonly message?: string }
  /** One finished image, already downloaded (use `job.download`). The kit sniffs format and size. */
  | { readonly type: "image"; readonly data: Uint8Array; readonly seed?: number; readonly nsfwScore?: number }
  /** The job ended well; optional figures the vendor reported. */
  | { readonly type: "completed"; readonly providerCostUsd?: number; readonly predictTimeSeconds?: number };

/** Everything a provider's `generate` gets for one job. All I/O goes through `http`/`download`. */
export interface ProviderJob {
  /** The canonical request, already checked against the model's declared limits. */
  readonly request: GenerateRequest;
  readonly model: ProviderModel;
  readonly http: HttpClient;
  /** Aborted by the caller's cancel or the RPC deadline. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The first wait between polls (IMAGEGEN_POLL_INTERVAL_MS, tests make it small). */
  readonly pollIntervalMs: number;
  readonly sleep: Sleep;
  /** Fetches a result URL or `data:` URI into image bytes, capped, without the auth header. */
  download(location: string): Promise<Buffer>;
  /** Calls `check` until it returns a value, sleeping with backoff; stops at once on abort. */
  poll<T>(check: () => Promise<T | undefined>): Promise<T>;
}

/** What a provider's cancel hook gets: a client with its own short deadline. */
export interface ProviderCallContext {
  readonly http: HttpClient;
  readonly logger: Logger;
}

/**
 * A provider, declared: identity, where its token and base URL come from, how it
 * authenticates, its models, and the vendor flow. The kit does the rest.
 */
export interface ProviderDefinition {
  /** Short id used in config, env names and errors, e.g. "replicate". */
  readonly id: string;
  readonly displayName: string;
  /** Env vars holding the token, first set wins (e.g. REPLICATE_API_TOKEN, REPLICATE_API_KEY). Empty: no token needed. */
  readonly tokenEnv: readonly string[];
  /** Headers that authenticate a request with `token` (Bearer, x-key, Basic...). */
  authHeaders(token: string): Record<string, string>;
  /** The vendor's public base URL; `<ID>_BASE_URL` (or `baseUrlEnv`) overrides it. */
  readonly defaultBaseUrl: string;
  readonly baseUrlEnv?: string;
  readonly models: readonly ModelDeclaration[];
  /**
   * A model outside `models` the vendor may still serve under the id the caller sent (a
   * Replicate "owner/name[:version]"), with the limits checked before the call; undefined
   * refuses it like any undeclared model.
   */
  passThroughModel?(modelId: string): ModelDeclaration | undefined;
  /** Reads the vendor's error body (pure). Without it, only the status decides. */
  readonly mapError?: VendorErrorMapper;
  /** The vendor flow for one job: submit, wait/poll, download, yield events. */
  generate(job: ProviderJob): AsyncIterable<ProviderEvent>;
  /** Cancels a vendor job; the kit calls it when the caller cancels or the deadline passes. */
  cancel?(jobId: string, ctx: ProviderCallContext): Promise<void>;
  /**
   * Overrides the "is it configured" rule (e.g. a self-hosted server needs a base URL, not a
   * token): returns why not, or undefined when configured.
   */
  notConfiguredReason?(env: NodeJS.ProcessEnv): string | undefined;
}
