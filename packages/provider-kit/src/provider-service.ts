import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  GenerateResponseSchema,
  GenerateUnaryResponseSchema,
  ProviderModelSchema,
  type ProviderService,
  type GenerateRequest,
  type GenerateResponse,
  type GenerateUnaryResponse,
  type ProviderModel,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createLogger, type Logger } from "@imagegen/server-kit";
import { readImageHeader } from "@imagegen/image-header";
import { checkAgainstLimits } from "./check-limits.ts";
import { abortError, sleep as realSleep, type Sleep } from "./deadline.ts";
import { downloadImage } from "./download.ts";
import { createHttpClient, type HttpClient } from "./http-client.ts";
import { pollUntil } from "./poll.ts";
import { readProviderEnvironment } from "./provider-config.ts";
import type { ProviderCallContext, ProviderDefinition } from "./provider-definition.ts";
import { createRedactingLogger, createRedactor, redactError } from "./redact.ts";
import { badResponse } from "./upstream-errors.ts";
import { formatOfName } from "./formats.ts";

/** Knobs of the service around a definition; tests inject env, logger and sleep. */
export interface ProviderServiceOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Waits before retries and between polls; tests record it instead of waiting. */
  readonly sleep?: Sleep;
  /** First wait between polls; default IMAGEGEN_POLL_INTERVAL_MS or 500 ms. */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls as backoff grows; default 2 s. */
  readonly maxPollIntervalMs?: number;
  /** Upper bound of a job when the caller set no deadline; default 10 minutes. */
  readonly defaultTimeoutMs?: number;
  /** Deadline of the vendor cancel call made after a cancel or timeout; default 5 s. */
  readonly cancelTimeoutMs?: number;
}

/**
 * The ProviderService implementation for a definition: describe from data, refuse what the model
 * does not declare before any upstream call, run the vendor flow under the RPC's deadline, cancel
 * the vendor job when the caller leaves, and scrub the token from every error and log line.
 */
export function createProviderService(
  definition: ProviderDefinition,
  options: ProviderServiceOptions = {},
): ServiceImpl<typeof ProviderService> {
  const env = options.env ?? process.env;
  const config = readProviderEnvironment(definition, env);
  const authHeaders = config.token ? definition.authHeaders(config.token) : {};
  const redact = createRedactor([config.token, ...Object.values(authHeaders)]);
  const logger = createRedactingLogger(options.logger ?? createLogger(`provider-${definition.id}`), redact);
  const sleep = options.sleep ?? realSleep;
  const pollIntervalMs = options.pollIntervalMs ?? Number(env.IMAGEGEN_POLL_INTERVAL_MS ?? 500);
  const models: ProviderModel[] = definition.models.map((m) =>
    create(ProviderModelSchema, { id: m.id, displayName: m.displayName, usdPerImage: m.usdPerImage, limits: m.limits }),
  );
  const provider = definition.id;
  const passThrough = (modelId: string): ProviderModel | undefined => {
    const declared = definition.passThroughModel?.(modelId);
    return (
      declared &&
      create(ProviderModelSchema, {
        id: modelId,
        displayName: declared.displayName,
        usdPerImage: declared.usdPerImage,
        limits: declared.limits,
      })
    );
  };

  const httpFor = (signal: AbortSignal, deadlineAt: number): HttpClient =>
    createHttpClient({
      provider,
      baseUrl: config.baseUrl,
      authHeaders,
      signal,
      deadlineAt,
      redact,
      mapError: definition.mapError,
      sleep,
    });

  // The vendor cancel call gets its own short deadline: the job's signal may be gone.
  const callContext = (timeoutMs: number): ProviderCallContext => ({
    http: httpFor(AbortSignal.timeout(timeoutMs), Date.now() + timeoutMs),
    logger,
  });

  const requireConfigured = (): void => {
    if (config.notConfigured) {
      throw apiError(
        ErrorReason.PROVIDER_NOT_CONFIGURED,
        `provider ${provider} is not configured: ${config.notConfigured}`,
        {
          metadata: { provider },
        },
      );
    }
  };

  async function cancelVendorJob(jobId: string): Promise<void> {
    if (!definition.cancel) return;
    try {
      await definition.cancel(jobId, callContext(options.cancelTimeoutMs ?? 5000));
      logger.info("canceled vendor job", { job_id: jobId });
    } catch (error) {
      logger.warn("could not cancel vendor job", { job_id: jobId, error: redactError(error, redact) });
    }
  }

  // One job as the contract's events; Generate streams them, GenerateUnary collects them.
  async function* runJob(request: GenerateRequest, ctx: HandlerContext): AsyncGenerator<GenerateResponse> {
    requireConfigured();
    const model = models.find((m) => m.id === request.model) ?? passThrough(request.model);
    if (!model) {
      throw apiError(
        ErrorReason.MODEL_NOT_AVAILABLE,
        `provider ${provider} does not declare model "${request.model}"`,
        {
          metadata: { provider, model: request.model },
        },
      );
    }
    checkAgainstLimits(request, model.limits, request.model);
    const timeoutMs = ctx.timeoutMs() ?? options.defaultTimeoutMs ?? 600_000;
    const deadline = jobSignal(ctx.signal, timeoutMs);
    const signal = deadline.signal;
    const http = httpFor(signal, Date.now() + timeoutMs);
    const log = logger.with({ model: request.model, generation_id: request.generationId });
    let jobId: string | undefined;
    let images = 0;
    let finished = false;
    const started = Date.now();
    try {
      const events = definition.generate({
        request,
        model,
        http,
        signal,
        logger: log,
        pollIntervalMs,
        sleep,
        download: (location) => downloadImage(http, provider, location),
        poll: (check) =>
          pollUntil(check, { signal, sleep, intervalMs: pollIntervalMs, maxIntervalMs: options.maxPollIntervalMs }),
      });
      for await (const event of events) {
        signal.throwIfAborted();
        switch (event.type) {
          case "accepted":
            jobId = event.jobId;
            yield response({ case: "accepted", value: { jobId: event.jobId } });
            break;
          case "progress":
            yield response({
              case: "progress",
              value: { fraction: clamp(event.fraction), message: redact(event.message ?? "") },
            });
            break;
          case "image":
            yield response({ case: "image", value: await describeImage(event, images++) });
            break;
          case "completed":
            if (images === 0) throw badResponse(provider, "success but no image");
            finished = true;
            yield response({
              case: "completed",
              value: {
                imageCount: images,
                providerCostUsd: event.providerCostUsd ?? 0,
                predictTimeSeconds: event.predictTimeSeconds ?? 0,
              },
            });
            break;
        }
      }
      if (!finished) {
        if (images === 0) throw badResponse(provider, "success but no image");
        finished = true;
        yield response({ case: "completed", value: { imageCount: images } });
      }
      log.info("job finished", { job_id: jobId, images, ms: Date.now() - started });
    } catch (error) {
      const failure = signal.aborted ? abortError(signal, provider) : asContractError(error, provider, log);
      log.warn("job failed", { job_id: jobId, error: redactError(failure, redact), ms: Date.now() - started });
      throw redactError(failure, redact);
    } finally {
      // The caller left (cancel or deadline) while the vendor may still be working: stop it.
      if (!finished && jobId !== undefined && signal.aborted) await cancelVendorJob(jobId);
      // A finished job's timer would otherwise hold the job's closures until its deadline.
      deadline.cancel();
    }
  }

  return {
    describeProvider() {
      return {
        id: provider,
        displayName: definition.displayName,
        configured: !config.notConfigured,
        statusReason: config.notConfigured ?? "",
        models,
      };
    },

    generate: runJob,

    async generateUnary(request: GenerateRequest, ctx: HandlerContext): Promise<GenerateUnaryResponse> {
      const answer = create(GenerateUnaryResponseSchema);
      for await (const { event } of runJob(request, ctx)) {
        if (event.case === "accepted") answer.jobId = event.value.jobId;
        else if (event.case === "image") answer.images.push(event.value);
        else if (event.case === "completed") answer.completed = event.value;
      }
      // runJob ends with `completed` after at least one image, or throws.
      return answer;
    },
  };
}

async function describeImage(image: { data: Uint8Array; seed?: number; nsfwScore?: number }, index: number) {
  const data = image.data;
  // Unreadable bytes are the vendor's bad answer (asContractError turns this into one).
  const header = readImageHeader(data);
  if (!header) throw new Error("the vendor's image is not a readable PNG, JPEG or WebP");
  return {
    index,
    data,
    format: formatOfName(header.format),
    width: header.width,
    height: header.height,
    seed: image.seed,
    nsfwScore: image.nsfwScore,
  };
}

// Our errors pass; anything else is a bug or an unreadable answer, logged and kept vague.
function asContractError(error: unknown, provider: string, logger: Logger): unknown {
  if (error instanceof ConnectError) return error;
  logger.error("provider flow failed unexpectedly", { error });
  return badResponse(provider, "something this service could not process");
}

/**
 * The job's signal: aborted when the caller's is (with its reason) or when `timeoutMs` passes
 * (DeadlineExceeded) — what AbortSignal.any over the caller's signal and a deadline's did, with
 * one controller instead of a composite signal and a second controller per job. `cancel` stops
 * the timer; the caller's abort still reaches the job's signal afterwards, as it did.
 */
function jobSignal(caller: AbortSignal, timeoutMs: number): { signal: AbortSignal; cancel(): void } {
  const controller = new AbortController();
  if (caller.aborted) {
    controller.abort(caller.reason);
    return { signal: controller.signal, cancel: () => undefined };
  }
  caller.addEventListener("abort", () => controller.abort(caller.reason), { once: true });
  const timer = setTimeout(
    () => controller.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded)),
    timeoutMs,
  );
  timer.unref();
  return { signal: controller.signal, cancel: () => clearTimeout(timer) };
}

function response(event: MessageInitShape<typeof GenerateResponseSchema>["event"]): GenerateResponse {
  return create(GenerateResponseSchema, { event });
}

function clamp(fraction: number): number {
  return Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
}
