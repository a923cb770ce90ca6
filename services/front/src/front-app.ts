import { hostname } from "node:os";
import type { ConnectRouter, Interceptor, Transport } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { loadSigningKey } from "@imagegen/image-urls";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { AdminService } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { GalleryService } from "@imagegen/proto/imagegen/v1/gallery_service_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { UserService } from "@imagegen/proto/imagegen/v1/user_service_pb";
import { WebhookService } from "@imagegen/proto/imagegen/v1/webhook_service_pb";
import { IntegrationService } from "@imagegen/proto/imagegen/v1/integration_service_pb";
import { OAuthAppService } from "@imagegen/proto/imagegen/v1/oauth_app_service_pb";
import {
  clientFaultForUnparseableRequests,
  combineRequestGates,
  createServiceIdentityGate,
  guardRpcHandler,
  loadServiceSecret,
  READINESS_DETAIL_HEADER,
  serviceCallerKey,
  registerHealth,
  registerReflection,
  ServiceIdentity,
  REFLECTION_SERVICE_NAMES,
  unimplementedFallback,
  type Logger,
  type UniversalRequestHandler,
} from "@imagegen/server-kit";
import { createServerTracingInterceptor } from "@imagegen/telemetry";
import { createAccessLogInterceptor } from "./rpc/access-log-interceptor.ts";
import { createAuthInterceptor } from "./auth/auth-interceptor.ts";
import { createDirectCallGate } from "./auth/direct-call-gate.ts";
import { loadBootstrapKeys } from "./auth/bootstrap-keys.ts";
import { createKeyResolver } from "./auth/store-key-verifier.ts";
import { createCredentialResolver } from "./auth/credential-resolver.ts";
import { createOAuth } from "./oauth/oauth-wiring.ts";
import { registerOAuthAppService } from "./oauth/oauth-app-service.ts";
import { openCacheIndex } from "./cache/cache-index.ts";
import { createGenerationCache } from "./cache/generation-cache.ts";
import { createAdmission } from "./metering/admission.ts";
import { openConcurrencyGate } from "./metering/redis-concurrency-gate.ts";
import { createMeteringInterceptor } from "./metering/metering-interceptor.ts";
import { Quotas } from "./metering/quota.ts";
import { openRateLimiter } from "./metering/redis-rate-limiter.ts";
import { loadTierConfig } from "./metering/tier-config.ts";
import { registerAdminService } from "./rpc/admin-service.ts";
import { registerEdgeService } from "./rpc/edge-service.ts";
import { openState } from "./store/open-state.ts";
import { loadCatalogConfig, type ProviderConfig } from "./catalog/catalog-config.ts";
import { ModelCatalog } from "./catalog/model-catalog.ts";
import { ModelPerformance } from "./catalog/model-performance.ts";
import { GenerationRunner } from "./generation/generation-runner.ts";
import { InFlightGenerations } from "./generation/in-flight-generations.ts";
import { startLeaseSweeper } from "./generation/lease-sweeper.ts";
import { startCancelWatcher } from "./generation/cancel-watcher.ts";
import { discardPartialImages } from "./generation/discard-partial-images.ts";
import { ImageStore } from "./images/image-store.ts";
import { ProviderDirectory, UNPROVEN_PROVIDER_PROBLEM } from "./providers/provider-directory.ts";
import { registerImageService } from "./rpc/image-service.ts";
import { registerModelService } from "./rpc/model-service.ts";
import { validationInterceptor } from "./rpc/validation-interceptor.ts";
import { moderationInterceptorFor } from "./moderation/moderation-interceptor.ts";
import { frontRegistry } from "./front-registry.ts";
import { registerWebhookService } from "./rpc/webhook-service.ts";
import { registerGalleryService } from "./rpc/gallery-service.ts";
import { registerUserService } from "./rpc/user-service.ts";
import { generationEventData, generationEventName } from "./webhooks/generation-event-payload.ts";
import { WebhookDispatcher } from "./webhooks/webhook-dispatcher.ts";
import { checkWebhookUrl, webhookTransport } from "./webhooks/webhook-transport.ts";
import { createWebhookUrlInterceptor } from "./webhooks/webhook-url-interceptor.ts";
import { createIntegrations } from "./integrations/integrations.ts";
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
  /** How to reach a provider; the in-memory test level passes router transports to fakes. */
  readonly providerTransport?: (provider: ProviderConfig) => Transport;
  /** How often the catalog re-reads measured generation times from the store (default 30 s). */
  readonly performanceRefreshMs?: number;
  /** How often running generations are checked for a cancel made on another replica. */
  readonly cancelCheckMs?: number;
  /** Where DATABASE_URL, REDIS_URL and provider tokens are read (the process's by default). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface FrontApp {
  readonly handler: UniversalRequestHandler;
  readonly providers: ProviderDirectory;
  /** The RPCs and the interceptors before them, for an in-memory router transport (tests). */
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: readonly Interceptor[];
  /** Lets running generations finish (bounded) before the process exits. */
  drain(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Wires the front service: state, catalog, providers, and every RPC behind auth and validation. */
export async function createFrontApp(options: FrontOptions): Promise<FrontApp> {
  const { logger } = options;
  // Every table family: one SQLite connection under the data dir, or PostgreSQL (DATABASE_URL).
  const env = options.env ?? process.env;
  const state = await openState(options.dataDir, env, logger);
  const { store, gallery, profiles, webhooks, leases } = state;
  logger.info("state opened", {
    database: state.shared ? "postgres" : "sqlite",
    image_storage: state.blobs.kind,
    shared_counters: env.REDIS_URL ? "redis" : "in-process",
  });
  const tiers = loadTierConfig(options.configPath);
  const limiter = await openRateLimiter(env, logger);
  const concurrency = openConcurrencyGate(env, logger);
  const quotas = new Quotas(store, tiers);
  const cacheIndex = openCacheIndex(env, logger);
  const images = new ImageStore(state.blobs, options.publicBaseUrl, loadSigningKey(options.dataDir));
  const config = loadCatalogConfig(options.configPath, env);
  // The deployment's service identity: the gateway proves itself to us, we prove ourselves to it
  // and to every provider, and each provider proves itself back (see server-kit service-identity).
  const serviceSecret = loadServiceSecret(options.dataDir);
  const identity = new ServiceIdentity("front", serviceSecret);
  const providers = new ProviderDirectory(
    config.providers.values(),
    logger,
    identity,
    options.breaker,
    options.providerTransport,
  );
  await providers.start();
  const catalog = new ModelCatalog(
    config,
    providers,
    new ModelPerformance((since) => store.modelTimings(since), options.performanceRefreshMs),
  );
  const inFlight = new InFlightGenerations();
  const holder = `${hostname()}:${process.pid}`;
  // Offline image models (NSFW, objects) in a worker thread, loaded on first use.
  const vision = visionConfigFromEnv(env);
  const screenImage = createOutputScreening(vision, async (owner) => (await profiles.preferences(owner)).nsfwFilter);
  const dispatcher = new WebhookDispatcher(webhooks, state.outbox, webhookTransport, logger, {
    attemptTimeoutMs: 10_000,
    defaultMaxRetries: 3,
    defaultRetryDelaySeconds: 60,
    holder,
  });
  dispatcher.start();
  // Dropbox / Google Drive: finished images go to the owners' own storage from a durable queue.
  const integrations = createIntegrations({
    store: state.integrations,
    images: store,
    readImage: (path) => images.read(path),
    emit: (owner, event, data) => dispatcher.emit(owner, event, data),
    dataDir: options.dataDir,
    env,
    logger,
    holder,
  });
  const runner = new GenerationRunner({
    store,
    images,
    providers,
    inFlight,
    logger,
    providerTimeoutMs: options.providerTimeoutMs,
    leases,
    leaseMs: options.leaseMs,
    holder,
    admit: createAdmission(quotas, concurrency, tiers),
    screenImage,
    onFinished(generation, owner, webhookUrl) {
      const event = generationEventName(generation);
      if (event)
        dispatcher.emit(
          owner,
          event,
          generationEventData(generation, owner),
          webhookUrl ? { url: webhookUrl } : undefined,
        );
      integrations.generationFinished(generation, owner);
    },
  });
  const keys = loadBootstrapKeys(options.dataDir, (line) => logger.warn(line));
  const resolveApiKey = createKeyResolver(store, () => keys);
  // OAuth 2.0 for third-party apps: an access token resolves to the key that authorized it.
  const oauth = createOAuth({
    env,
    publicBaseUrl: options.publicBaseUrl,
    state,
    store,
    bootstrapKeys: () => keys,
    resolveApiKey,
    secret: serviceSecret,
    logger,
  });
  const resolveKey = createCredentialResolver(resolveApiKey, oauth.resolveToken);

  const stopSweeper = startLeaseSweeper({
    leases,
    store,
    holder,
    intervalMs: Math.max(500, options.leaseMs / 2),
    logger,
    discardImages: (id) => discardPartialImages(store, images, id),
    onFailed(owner, id) {
      void runner
        .snapshot(owner, id)
        .then((generation) => dispatcher.emit(owner, "generation.failed", generationEventData(generation, owner)));
    },
  });

  // Tracing first, so auth and validation refusals are spans (and logged lines) too.
  const interceptors = [
    createServerTracingInterceptor(),
    createAccessLogInterceptor(options.logger),
    createAuthInterceptor(resolveKey),
    createMeteringInterceptor({ limiter, quotas, tiers }),
    validationInterceptor,
    createWebhookUrlInterceptor(checkWebhookUrl),
    // Prompts are judged before any handler: a refusal claims, charges and dispatches nothing.
    moderationInterceptorFor(options.configPath),
  ];
  const publicServices = [
    ImageService,
    ModelService,
    GalleryService,
    WebhookService,
    IntegrationService,
    UserService,
    OAuthAppService,
    AdminService,
    Health,
  ].map((s) => s.typeName);
  const routes = (router: ConnectRouter): void => {
    registerImageService(router, {
      runner,
      planner: { catalog, providers },
      store,
      images,
      inFlight,
      profiles,
      syncWaitMs: options.syncWaitMs,
      vision: vision.pool,
      cache: createGenerationCache(cacheIndex, (owner, id) => runner.snapshot(owner, id)),
      process: {
        runner,
        planner: { catalog, providers },
        images,
        dispatcher,
        onProcessed: integrations.imageProcessed,
        waitMs: options.syncWaitMs,
        maxPixels: 4096 * 4096,
        vision: vision.pool,
        screenImage,
      },
    });
    registerModelService(router, catalog);
    registerGalleryService(router, { gallery, store, images });
    registerWebhookService(router, webhooks, checkWebhookUrl);
    integrations.register(router);
    registerUserService(router, {
      profiles,
      monthlyCredits: (principal) => quotas.limitOf(principal),
      usage: (owner) => store.usageTotals(owner),
      storageLimitMb: Number(process.env.IMAGEGEN_STORAGE_LIMIT_MB ?? 10_240),
    });
    registerOAuthAppService(router, state.oauth);
    registerAdminService(router, store);
    registerEdgeService(router);
    registerHealth(router, async (service, context) => {
      if (service !== "" && !service.startsWith("imagegen.")) return undefined;
      // Our own gateway (a proven caller) learns which providers are shut out and shows it in /readyz.
      const unproven = providers.unproven();
      if (unproven.length > 0 && context.values.get(serviceCallerKey)) {
        context.responseHeader.set(
          READINESS_DETAIL_HEADER,
          JSON.stringify({ providers: Object.fromEntries(unproven.map((id) => [id, UNPROVEN_PROVIDER_PROBLEM])) }),
        );
      }
      return providers.anyUsable();
    });
    registerReflection(router, frontRegistry, publicServices);
  };
  const stopCancelWatcher = startCancelWatcher({ store, inFlight, intervalMs: options.cancelCheckMs ?? 500, logger });

  // Reached by the gateway, or straight from an Envoy edge: a malformed request is the
  // caller's fault (400 / INVALID_ARGUMENT) and never ends the process.
  const rpcHandler = connectNodeAdapter({
    // A caller presenting a service token (the gateway) must hold this deployment's secret and
    // gets our proof back. A call without one is a public call, as Envoy's native gRPC route and
    // health checks reach the front directly (deploy/): it passes the same API-key auth as any.
    requestGate: combineRequestGates(
      clientFaultForUnparseableRequests,
      createServiceIdentityGate(identity, { required: false, logger }),
      // A public call (no service token) is authenticated before its body is read, as at the edge.
      createDirectCallGate(resolveKey),
    ),
    // An unknown method (a gRPC call Envoy routed here): UNIMPLEMENTED in the caller's protocol.
    fallback: unimplementedFallback([...publicServices, ...REFLECTION_SERVICE_NAMES]),
    interceptors,
    routes,
  });
  // /oauth/* and the discovery document are HTTP, not RPCs: the authorization server answers them.
  const handler = oauth.withHttpRoutes(guardRpcHandler(rpcHandler, logger));
  return {
    handler,
    providers,
    routes,
    interceptors,
    drain: (ms) => inFlight.drain(ms),
    async close() {
      stopSweeper();
      stopCancelWatcher();
      providers.stop();
      dispatcher.stop();
      integrations.stop();
      await vision.pool?.close();
      await limiter.close();
      await concurrency.close();
      await cacheIndex.close();
      await state.close();
    },
  };
}
