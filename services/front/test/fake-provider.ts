import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport, type Transport } from "@connectrpc/connect";
import { apiError, type ErrorReason } from "@imagegen/errors";
import {
  Format,
  GenerateResponseSchema,
  GenerateUnaryResponseSchema,
  ModelLimitsSchema,
  Operation,
  ProviderService,
  type GenerateRequest,
  type GenerateResponse,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { testImage } from "@imagegen/provider-kit/testing";

/**
 * A provider service in memory, for the front's in-memory test level: it speaks the internal
 * provider contract (DescribeProvider, streaming Generate, optionally GenerateUnary) over a router transport, and each
 * job does what the test scripted. Nothing listens on a port and no process starts.
 */
export type FakeJob =
  /** Every requested image (real PNG bytes of the requested size), then completed. */
  | { readonly kind: "images" }
  /** Refuses the job with one of our error reasons, as a provider's error mapper would. */
  | { readonly kind: "error"; readonly reason: ErrorReason; readonly retryAfterSeconds?: number }
  /** One image, then the failure: a partial result. */
  | { readonly kind: "partial-then-error"; readonly reason: ErrorReason }
  /** Accepts the job (delivering `imagesFirst` images at once) and holds it until the caller aborts it or `release()` is called. */
  | { readonly kind: "hold"; readonly imagesFirst?: number };

type LimitsInit = Omit<MessageInitShape<typeof ModelLimitsSchema>, "$typeName">;

export interface FakeProviderOptions {
  readonly id: string;
  /** False describes the provider as a process without its token (the offline demo). */
  readonly configured?: boolean;
  /** The provider's own model ids and what each declares; unset fields take `DEFAULT_LIMITS`. */
  readonly models: Readonly<Record<string, LimitsInit>>;
  /**
   * Implements GenerateUnary too (the scripted job, answered once). Without it the fake is a
   * provider built before GenerateUnary: that call is Unimplemented and the front streams.
   */
  readonly unary?: boolean;
}

export interface FakeProvider {
  readonly id: string;
  readonly transport: Transport;
  /** The next jobs do this, in order; once the script is used up, every job is "images". */
  script(...jobs: FakeJob[]): void;
  /** Generate and GenerateUnary calls received so far (the front's requests, as the provider saw them). */
  readonly calls: GenerateRequest[];
  /** How many of `calls` were GenerateUnary. */
  unaryCalls(): number;
  /** Jobs that ended because the caller aborted them (a cancel reached the provider). */
  aborted(): number;
  /** Lets every held job finish with its images. */
  release(): void;
  /** While down, every call fails as a provider process that is not running would. */
  setDown(down: boolean): void;
}

export const DEFAULT_LIMITS = {
  operations: [Operation.TEXT_TO_IMAGE],
  minSize: 64,
  maxSize: 2048,
  sizeMultiple: 8,
  maxOutputs: 4,
  negativePrompt: true,
  seed: true,
  steps: true,
  guidance: true,
  formats: [Format.PNG],
  maxPromptLength: 1000,
} satisfies LimitsInit;

export function createFakeProvider(options: FakeProviderOptions): FakeProvider {
  const queue: FakeJob[] = [];
  const calls: GenerateRequest[] = [];
  let unaryCalls = 0;
  let aborted = 0;
  let down = false;
  const checkUp = (): void => {
    if (down) throw new ConnectError("connection refused (scripted)", Code.Unavailable);
  };
  let releaseHeld: () => void = () => {};
  let held = new Promise<void>((resolve) => (releaseHeld = resolve));
  const models = Object.entries(options.models).map(([id, limits]) => ({
    id,
    displayName: id,
    limits: create(ModelLimitsSchema, { ...DEFAULT_LIMITS, ...limits }),
  }));

  async function* generate(req: GenerateRequest, signal: AbortSignal): AsyncGenerator<GenerateResponse> {
    calls.push(req);
    const job = queue.shift() ?? { kind: "images" };
    if (job.kind === "error")
      throw apiError(job.reason, `${options.id} refused the job (scripted)`, {
        retryAfterSeconds: job.retryAfterSeconds,
      });
    yield create(GenerateResponseSchema, { event: { case: "accepted", value: { jobId: `job-${calls.length}` } } });
    const image = async (index: number) =>
      create(GenerateResponseSchema, {
        event: {
          case: "image",
          value: {
            data: await testImage("png", req.width, req.height),
            format: Format.PNG,
            width: req.width,
            height: req.height,
            seed: (req.seed ?? 0) + index,
          },
        },
      });
    if (job.kind === "partial-then-error") {
      yield await image(0);
      throw apiError(job.reason, `${options.id} failed midway (scripted)`);
    }
    if (job.kind === "hold") {
      for (let i = 0; i < (job.imagesFirst ?? 0); i++) yield await image(i);
      const abortedNow = new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      await Promise.race([held, abortedNow]);
      if (signal.aborted) {
        aborted++;
        return;
      }
    }
    const first = job.kind === "hold" ? (job.imagesFirst ?? 0) : 0;
    for (let i = first; i < Math.max(1, req.numOutputs); i++) yield await image(i);
    yield create(GenerateResponseSchema, { event: { case: "completed", value: {} } });
  }

  const transport = createRouterTransport((router) =>
    router.service(ProviderService, {
      describeProvider: () => (
        checkUp(),
        {
          id: options.id,
          displayName: options.id,
          configured: options.configured ?? true,
          statusReason: options.configured === false ? `${options.id.toUpperCase()}_API_TOKEN is not set` : "",
          models,
        }
      ),
      generate: (req, ctx) => (checkUp(), generate(req, ctx.signal)),
      ...(options.unary && {
        async generateUnary(req, ctx) {
          checkUp();
          unaryCalls++;
          const answer = create(GenerateUnaryResponseSchema);
          for await (const { event } of generate(req, ctx.signal)) {
            if (event.case === "accepted") answer.jobId = event.value.jobId;
            if (event.case === "image") answer.images.push(event.value);
            if (event.case === "completed") answer.completed = event.value;
          }
          return answer;
        },
      }),
    }),
  );
  return {
    id: options.id,
    transport,
    calls,
    unaryCalls: () => unaryCalls,
    script: (...jobs) => void queue.push(...jobs),
    aborted: () => aborted,
    setDown: (value) => void (down = value),
    release() {
      releaseHeld();
      held = new Promise<void>((resolve) => (releaseHeld = resolve));
    },
  };
}
