import { randomBytes } from "node:crypto";
import type { Logger } from "@imagegen/server-kit";
import { expandFileName, mimeOf } from "./file-naming.ts";
import type { IntegrationRecord, IntegrationStore, ServiceId, UploadRecord } from "./integration-store.ts";
import { TokenSession } from "./integration-tokens.ts";
import type { SecretsBox } from "./secrets-box.ts";
import { ServiceCallError, type StorageService } from "./storage-service.ts";

/** One finished image, as the queue needs it. */
export interface FinishedImage {
  readonly imageId: string;
  readonly generationId: string;
  readonly blobPath: string;
  readonly format: string;
  readonly model: string;
  readonly prompt: string;
  readonly index: number;
}

export interface UploaderOptions {
  /** This process, as the holder of the uploads it claims. */
  readonly holder: string;
  /** How often the queue is checked for due uploads (retries, another replica's leftovers). */
  readonly pollMs?: number;
  /** How long a claim lasts: past it, an upload whose replica died is retried by any replica. */
  readonly claimMs?: number;
  /** Upload requests per upload before it is failed (429/5xx/network are retried until then). */
  readonly maxAttempts?: number;
}

export const UPLOAD_FAILED_EVENT = "integration.upload_failed";
export const NEEDS_REAUTH = "needs_reauth";
const CLAIM_BATCH = 20;
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Uploads finished images to the owners' connected services from the durable queue in the store.
 * Whichever replica claims an upload makes its attempt; uploads of one integration run one after
 * another (Dropbox asks for that: concurrent writes to one account conflict). 429/5xx wait the
 * service's Retry-After (else exponential backoff) in the queue, so they survive restarts; an
 * expired access token is refreshed and the upload retried; a refused refresh token marks the
 * integration needs_reauth and fails its open uploads. Done once in normal operation; a replica
 * dying after the service stored a file but before recording it makes the retry a second file
 * (never an overwrite: names are auto-renamed).
 */
export class IntegrationUploader {
  private readonly pollMs: number;
  private readonly claimMs: number;
  private readonly maxAttempts: number;
  private readonly folders = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: IntegrationStore,
    private readonly services: ReadonlyMap<ServiceId, StorageService>,
    private readonly box: SecretsBox,
    private readonly readImage: (blobPath: string) => Promise<Uint8Array>,
    private readonly emit: (owner: string, event: string, data: Record<string, unknown>) => void,
    private readonly logger: Logger,
    private readonly options: UploaderOptions,
  ) {
    this.pollMs = options.pollMs ?? 1_000;
    this.claimMs = options.claimMs ?? 150_000;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops checking the queue; claimed uploads left unfinished are retried by any replica. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Queues every image for each of the owner's active auto-upload integrations. */
  async queue(owner: string, images: readonly FinishedImage[]): Promise<void> {
    if (images.length === 0) return;
    await this.queueLazily(owner, async () => images);
  }

  /**
   * Like queue(), reading the images only once the owner turns out to have an active auto-upload
   * integration: most owners have none, and then a finished generation costs one indexed query
   * (none at all when no service is configured), not also a read of its images.
   */
  async queueLazily(owner: string, read: () => Promise<readonly FinishedImage[]>): Promise<void> {
    if (this.services.size === 0) return;
    const targets = (await this.store.list(owner)).filter(
      (i) => i.status === "active" && i.settings.autoUpload && this.services.has(i.service),
    );
    if (targets.length === 0) return;
    const images = await read();
    if (images.length === 0) return;
    const now = Date.now();
    const uploads: UploadRecord[] = targets.flatMap((target) =>
      images.map((image) => ({
        id: `upl_${randomBytes(12).toString("base64url")}`,
        integrationId: target.id,
        owner,
        ...image,
        status: "pending" as const,
        remotePath: "",
        attempts: 0,
        lastError: "",
        nextAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await this.store.enqueueUploads(uploads);
    this.kick();
  }

  /** Marks the integration needs_reauth and fails its open uploads (each with the webhook event). */
  async needsReauth(integration: IntegrationRecord): Promise<void> {
    await this.store.setStatus(integration.id, "needs_reauth");
    this.logger.warn("integration needs reauthorization: the service refused its refresh token", {
      integration_id: integration.id,
      service: integration.service,
    });
    await this.failOpen(integration, NEEDS_REAUTH);
  }

  /** Fails the integration's open uploads with `error`, each with the webhook event. */
  async failOpen(integration: IntegrationRecord, error: string): Promise<void> {
    for (const upload of await this.store.failOpenUploads(integration.id, error, Date.now()))
      this.emitFailed(integration, upload, error);
  }

  /** Drains due uploads now; a kick while draining runs one more pass after it. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) =>
        this.logger.warn("upload queue not drained; retrying on the next check", {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.store.claimDueUploads(Date.now(), this.options.holder, this.claimMs, CLAIM_BATCH);
      const byIntegration = new Map<string, UploadRecord[]>();
      for (const u of claimed) byIntegration.set(u.integrationId, [...(byIntegration.get(u.integrationId) ?? []), u]);
      await Promise.all(
        [...byIntegration.values()].map(async (uploads) => {
          for (const upload of uploads) await this.attempt(upload);
        }),
      );
      if (claimed.length < CLAIM_BATCH || this.stopped) break;
    }
  }

  private async attempt(upload: UploadRecord): Promise<void> {
    const integration = await this.store.byId(upload.integrationId);
    if (integration?.status !== "active") {
      // Disconnected or waiting for a new connect: nothing is uploaded any more.
      const error = integration?.status === "needs_reauth" ? NEEDS_REAUTH : "disconnected";
      if ((await this.finish(upload, { status: "failed", attempts: upload.attempts, lastError: error })) && integration)
        this.emitFailed(integration, upload, error);
      return;
    }
    const service = this.services.get(integration.service);
    if (!service) {
      if (
        await this.finish(upload, {
          status: "failed",
          attempts: upload.attempts,
          lastError: `${integration.service} is not configured on this deployment`,
        })
      ) {
        this.emitFailed(integration, upload, `${integration.service} is not configured on this deployment`);
      }
      return;
    }
    let attempts = upload.attempts;
    try {
      const session = new TokenSession(integration, service, this.store, this.box);
      // An access token the service calls expired is refreshed once, and the call made again.
      const authorised = async <T>(call: (token: string) => Promise<T>): Promise<T> => {
        try {
          return await call(await session.accessToken());
        } catch (error) {
          if (!(error instanceof ServiceCallError) || error.failure !== "expired") throw error;
          return call(await session.refresh());
        }
      };
      const folderPath = integration.settings.folderPath;
      const cacheKey = `${integration.id}\n${folderPath}`;
      let folderRef = this.folders.get(cacheKey);
      if (folderRef === undefined) {
        folderRef = await authorised((token) => service.ensureFolder(token, folderPath));
        this.folders.set(cacheKey, folderRef);
      }
      const bytes = await this.readImage(upload.blobPath);
      const name = expandFileName(integration.settings.fileNaming, { ...upload, at: upload.createdAt });
      const ref = folderRef;
      const uploaded = await authorised((token) => {
        attempts += 1;
        return service.upload(token, { path: folderPath, ref }, name, bytes, mimeOf(upload.format));
      });
      await this.finish(upload, { status: "completed", attempts, remotePath: uploaded.remotePath, lastError: "" });
    } catch (error) {
      await this.failed(integration, upload, attempts, error);
    }
  }

  private async failed(
    integration: IntegrationRecord,
    upload: UploadRecord,
    attempts: number,
    error: unknown,
  ): Promise<void> {
    if (error instanceof ServiceCallError && error.failure === "reauth") {
      await this.needsReauth(integration);
      return;
    }
    const message = error instanceof Error ? error.message.slice(0, 300) : "upload failed";
    if (error instanceof ServiceCallError && error.failure === "retry" && attempts < this.maxAttempts) {
      const wait = error.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));
      await this.finish(upload, { status: "pending", attempts, lastError: message, nextAt: Date.now() + wait });
      return;
    }
    // A folder deleted meanwhile is looked up (or made) again on the next upload.
    this.folders.delete(`${integration.id}\n${integration.settings.folderPath}`);
    if (await this.finish(upload, { status: "failed", attempts, lastError: message }))
      this.emitFailed(integration, upload, message);
    this.logger.warn("integration upload failed", {
      integration_id: integration.id,
      upload_id: upload.id,
      attempts,
      error: message,
    });
  }

  private finish(upload: UploadRecord, outcome: Parameters<IntegrationStore["finishUpload"]>[2]): Promise<boolean> {
    return this.store.finishUpload(upload.id, this.options.holder, outcome, Date.now());
  }

  private emitFailed(integration: IntegrationRecord, upload: UploadRecord, error: string): void {
    this.emit(integration.owner, UPLOAD_FAILED_EVENT, {
      integration_id: integration.id,
      service: integration.service,
      upload_id: upload.id,
      image_id: upload.imageId,
      generation_id: upload.generationId,
      error,
    });
  }
}
