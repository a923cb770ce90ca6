import type { ConnectRouter } from "@connectrpc/connect";
import type { Logger } from "@imagegen/server-kit";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { Store } from "../store/store.ts";
import { DropboxClient } from "./dropbox-client.ts";
import { GoogleDriveClient } from "./google-drive-client.ts";
import { integrationConfigFromEnv } from "./integration-config.ts";
import { registerIntegrationService } from "./integration-rpc.ts";
import type { IntegrationStore, ServiceId } from "./integration-store.ts";
import { IntegrationUploader } from "./integration-uploader.ts";
import { SecretsBox } from "./secrets-box.ts";
import type { StorageService } from "./storage-service.ts";

export interface IntegrationsOptions {
  readonly store: IntegrationStore;
  /** Image rows of a completed generation. */
  readonly images: Pick<Store, "listImages">;
  readonly readImage: (blobPath: string) => Promise<Uint8Array>;
  readonly emit: (owner: string, event: string, data: Record<string, unknown>) => void;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly holder: string;
}

/** The integrations feature as the front wires it: RPCs, the upload worker, and the two hooks that feed it. */
export interface Integrations {
  register(router: ConnectRouter): void;
  /** Queues the images of a generation that just completed (anything else is ignored). */
  generationFinished(generation: Generation, owner: string): void;
  /** Queues a processed image (filters) that was just stored. */
  imageProcessed(owner: string, image: { id: string; blobPath: string; format: string }): void;
  stop(): void;
}

export function createIntegrations(options: IntegrationsOptions): Integrations {
  const { logger } = options;
  const config = integrationConfigFromEnv(options.env);
  const services = new Map<ServiceId, StorageService>();
  if (config.dropbox) services.set("dropbox", new DropboxClient(config.dropbox));
  if (config.google_drive) services.set("google_drive", new GoogleDriveClient(config.google_drive));
  // Replicas over one PostgreSQL keep separate (often scratch) data dirs: a key generated into
  // each would seal tokens no other replica, nor the next start, could open.
  if (services.size > 0 && options.env.DATABASE_URL && !options.env.IMAGEGEN_SECRETS_KEY) {
    throw new Error(
      "IMAGEGEN_SECRETS_KEY must be set when DATABASE_URL is (every replica seals and opens integration tokens with it); e.g. openssl rand -base64 32",
    );
  }
  const box = SecretsBox.load(options.dataDir, options.env);
  const leaseMs = Number(options.env.IMAGEGEN_UPLOAD_LEASE_MS || 0) || undefined;
  const uploader = new IntegrationUploader(options.store, services, box, options.readImage, options.emit, logger, {
    holder: options.holder,
    claimMs: leaseMs,
  });
  uploader.start();
  const queued = (what: Promise<void>): void => {
    void what.catch((error: unknown) =>
      logger.warn("uploads not queued: the store could not be written", {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  };
  return {
    register: (router) => registerIntegrationService(router, { store: options.store, services, box, uploader }),
    generationFinished(generation, owner) {
      if (generation.status !== GenerationStatus.COMPLETED) return;
      queued(
        uploader.queueLazily(owner, () =>
          options.images.listImages(generation.id).then((rows) =>
            rows.map((row) => ({
              imageId: row.id,
              generationId: generation.id,
              blobPath: row.path,
              format: row.format,
              model: generation.model,
              prompt: generation.prompt,
              index: row.index,
            })),
          ),
        ),
      );
    },
    imageProcessed(owner, image) {
      queued(
        uploader.queue(owner, [
          {
            imageId: image.id,
            generationId: image.id,
            blobPath: image.blobPath,
            format: image.format,
            model: "",
            prompt: "",
            index: 0,
          },
        ]),
      );
    },
    stop: () => uploader.stop(),
  };
}
