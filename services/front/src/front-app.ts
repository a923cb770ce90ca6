import { hostname } from "node:os";
import { join } from "node:path";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { loadSigningKey } from "@imagegen/image-urls";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { AdminService } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { GalleryService } from "@imagegen/proto/imagegen/v1/gallery_service_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { UserService } from "@imagegen/proto/imagegen/v1/user_service_pb";
import { WebhookService } from "@imagegen/proto/imagegen/v1/webhook_service_pb";
import {
  clientFaultForUnparseableRequests,
  guardRpcHandler,
  registerHealth,
  registerReflection,
  type Logger,
  type UniversalRequestHandler,
} from "@imagegen/server-kit";
import { createServerTracingInterceptor } from "@imagegen/telemetry";
import { createAccessLogInterceptor } from "./rpc/access-log-interceptor.ts";
import { createAuthInterceptor } from "./auth/auth-interceptor.ts";
import { loadBootstrapKeys } from "./auth/bootstrap-keys.ts";
import { createKeyResolver } from "./auth/store-key-verifier.ts";
import { openCacheIndex } from "./cache/cache-index.ts";
import { createGenerationCache } from "./cache/generation-cache.ts";
import { createAdmission } from "./metering/admission.ts";
import { ConcurrencyGate } from "./metering/concurrency-gate.ts";
import { createMeteringInterceptor } from "./metering/metering-interceptor.ts";
import { Quotas } from "./metering/quota.ts";
import { openRateLimiter } from "./metering/redis-rate-limiter.ts";
import { loadTierConfig } from "./metering/tier-config.ts";
import { registerAdminService } from "./rpc/admin-service.ts";
import { registerEdgeService } from "./rpc/edge-service.ts";
import { openStore } from "./store/open-store.ts";
import { loadCatalogConfig } from "./catalog/catalog-config.ts";
import { ModelCatalog } from "./catalog/model-catalog.ts";
import { GenerationRunner } from "./generation/generation-runner.ts";
import { InFlightGenerations } from "./generation/in-flight-generations.ts";
import { openLeases } from "./leases/open-leases.ts";
import { startLeaseSweeper } from "./generation/lease-sweeper.ts";
import { ImageStore } from "./images/image-store.ts";
import { ProviderDirectory } from "./providers/provider-directory.ts";
import { registerImageService } from "./rpc/image-service.ts";
import { registerModelService } from "./rpc/model-service.ts";
import { validationInterceptor } from "./rpc/validation-interceptor.ts";
import { frontRegistry } from "./front-registry.ts";
import { registerWebhookService } from "./rpc/webhook-service.ts";
import { registerGalleryService } from "./rpc/gallery-service.ts";
import { GalleryStore } from "./gallery/gallery-store.ts";
import { ProfileStore } from "./profile/profile-store.ts";
import { registerUserService } from "./rpc/user-service.ts";
import { generationEventData, generationEventName } from "./webhooks/generation-event-payload.ts";
import { WebhookDispatcher } from "./webhooks/webhook-dispatcher.ts";
import { WebhookStore } from "./webhooks/webhook-store.ts";
import { checkWebhookUrl, webhookTransport } from "./webhooks/webhook-transport.ts";
import { createWebhookUrlInterceptor } from "./webhooks/webhook-url-interceptor.ts";
import { createOutputScreening } from "./vision/screen-output-image.ts";
import { visionConfigFromEnv } from "./vision/vision-config.ts";

export interface FrontOptions {
  readonly dataDir: string;
  readonly configPath: string;
  readonly publicBaseUrl: string;
  readonly providerTimeoutMs: number;
  /** The longest a create call waits before answering with the pending generation (HTTP 202). */
  readonly syncWaitMs: number;
  /** Lease of a running generation; a replica that stops renewing loses it after this long. */
  readonly leaseMs: number;
  /** Provider failures in a row that open its circuit, and how long it then stays skipped. */
  readonly breaker: { readonly threshold: number; readonly cooldownMs: number };
  readonly logger: Logger;
}

export interface FrontApp {
  readonly handler: UniversalRequestHandler;
  readonly providers: ProviderDirectory;
  /** Lets running generations finish (bounded) before the process exits. */
  drain(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Wires the front service: state, catalog, providers, and every RPC behind auth and validation. */
export async function createFrontApp(options: FrontOptions): Promise<FrontApp> {
  const { logger } = options;
  // Keys, generations, images, idempotency: SQLite under the data dir, or PostgreSQL (DATABASE_URL).
  const store = await openStore(options.dataDir, process.env, logger);
  const tiers = loadTierConfig(options.configPath);
  const limiter = await openRateLimiter(process.env, logger);
  const quotas = new Quotas(store, tiers);
  const cacheIndex = openCacheIndex(process.env, logger);
  const images = new ImageStore(join(options.dataDir, "images"), options.publicBaseUrl, loadSigningKey(options.dataDir));
  const config = loadCatalogConfig(options.configPath);
  const providers = new ProviderDirectory(config.providers.values(), logger, options.breaker);
  await providers.start();
  const catalog = new ModelCatalog(config, providers);
  const inFlight = new InFlightGenerations();
  const leases = openLeases(options.dataDir);
  const gallery = new GalleryStore(join(options.dataDir, "imagegen.sqlite"));
  const profiles = new ProfileStore(join(options.dataDir, "imagegen.sqlite"));
  const holder = `${hostname()}:${process.pid}`;
  // Offline image models (NSFW, objects) in a worker thread, loaded on first use.
  const vision = visionConfigFromEnv(process.env);
  const screenImage = createOutputScreening(vision, (owner) => profiles.preferences(owner).nsfwFilter);
  const webhooks = new WebhookStore(join(options.dataDir, "imagegen.sqlite"));
  const dispatcher = new WebhookDispatcher(webhooks, webhookTransport, logger, {
    attemptTimeoutMs: 10_000,
    defaultMaxRetries: 3,
    defaultRetryDelaySeconds: 60,
  });
  const runner = new GenerationRunner({
    store,
    images,
    catalog,
    providers,
    inFlight,
    logger,
    providerTimeoutMs: options.providerTimeoutMs,
    leases,
    leaseMs: options.leaseMs,
    holder,
    admit: createAdmission(quotas, new ConcurrencyGate(), tiers),
    screenImage,
    onFinished(generation, owner, webhookUrl) {
      const event = generationEventName(generation);
      if (event) dispatcher.emit(owner, event, generationEventData(generation, owner), webhookUrl ? { url: webhookUrl } : undefined);
    },
  });
  const keys = loadBootstrapKeys(options.dataDir, (line) => logger.warn(line));

  const stopSweeper = startLeaseSweeper({
    leases,
    store,
    holder,
    intervalMs: Math.max(500, options.leaseMs / 2),
    logger,
    onFailed(owner, id) {
      void runner.snapshot(owner, id).then((generation) => dispatcher.emit(owner, "generation.failed", generationEventData(generation, owner)));
    },
  });

  // Reached by the gateway, or straight from an Envoy edge: a malformed request is the
  // caller's fault (400 / INVALID_ARGUMENT) and never ends the process.
  const rpcHandler = connectNodeAdapter({
    requestGate: clientFaultForUnparseableRequests,
    // Tracing first, so auth and validation refusals are spans (and logged lines) too.
    interceptors: [
      createServerTracingInterceptor(),
      createAccessLogInterceptor(options.logger),
      createAuthInterceptor(createKeyResolver(store, () => keys)),
      createMeteringInterceptor({ limiter, quotas, tiers }),
      validationInterceptor,
      createWebhookUrlInterceptor(checkWebhookUrl),
    ],
    routes(router) {
      registerImageService(router, {
        runner,
        catalog,
        store,
        images,
        inFlight,
        profiles,
        syncWaitMs: options.syncWaitMs,
        vision: vision.pool,
        cache: createGenerationCache(cacheIndex, (owner, id) => runner.snapshot(owner, id)),
        process: { runner, images, dispatcher, waitMs: options.providerTimeoutMs, maxPixels: 4096 * 4096, vision: vision.pool, screenImage },
      });
      registerModelService(router, catalog);
      registerGalleryService(router, { gallery, store, images });
      registerWebhookService(router, webhooks, checkWebhookUrl);
      registerUserService(router, {
        profiles,
        monthlyCredits: (principal) => quotas.limitOf(principal),
        usage: (owner) => store.usageTotals(owner),
        storageLimitMb: Number(process.env.IMAGEGEN_STORAGE_LIMIT_MB ?? 10_240),
      });
      registerAdminService(router, store);
      registerEdgeService(router);
      registerHealth(router, async (service) => (service === "" || service.startsWith("imagegen.") ? providers.anyUsable() : undefined));
      registerReflection(router, frontRegistry, [
        ImageService.typeName,
        ModelService.typeName,
        GalleryService.typeName,
        WebhookService.typeName,
        UserService.typeName,
        AdminService.typeName,
        Health.typeName,
      ]);
    },
  });
  const handler = guardRpcHandler(rpcHandler, logger);
  return {
    handler,
    providers,
    drain: (ms) => inFlight.drain(ms),
    async close() {
      stopSweeper();
      providers.stop();
      dispatcher.stop();
      webhooks.close();
      await leases.close();
      gallery.close();
      profiles.close();
      await vision.pool?.close();
      await limiter.close();
      await cacheIndex.close();
      await store.close();
    },
  };
}
