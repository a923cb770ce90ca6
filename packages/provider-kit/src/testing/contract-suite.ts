import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describeError } from "@imagegen/errors";
import {
  Format,
  type GenerateRequestSchema,
  type GenerateResponse,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sleep as realSleep, type Sleep } from "../deadline.ts";
import { envName } from "../provider-config.ts";
import type { ProviderDefinition } from "../provider-definition.ts";
import { createProviderService } from "../provider-service.ts";
import { REDACTED } from "../redact.ts";
import type { ContractFake } from "./contract-fake.ts";
import { createCapturingLogger, serveProvider, type ServedProvider } from "./serve-provider.ts";

type GenerateInit = MessageInitShape<typeof GenerateRequestSchema>;

/** One named request for the suite. */
export interface ContractCase {
  readonly name: string;
  readonly request: GenerateInit;
}

/** What one provider hands the shared suite. */
export interface ContractSuiteOptions {
  readonly definition: ProviderDefinition;
  /**
   * Starts the provider's fake upstream; it must accept exactly `token`. Absent for a provider
   * with no vendor behind it (the offline `local`): then only the cases that hold for every
   * provider run (description, happy paths, refusals before any work), not the upstream ones.
   */
  startFake?(token: string): Promise<ContractFake>;
  /** One case per declared operation (and per output shape worth proving); each must yield `images`. */
  readonly happy: ReadonlyArray<ContractCase & { readonly images: number }>;
  /** Requests outside the declared capabilities: refused with UNSUPPORTED before any upstream call. */
  readonly undeclared: readonly ContractCase[];
  /** The request used by the failure cases (a cheap text-to-image). */
  readonly baseline: GenerateInit;
  /** Reasons that differ from the shared table for this vendor, by upstream status. */
  readonly statusReasons?: Readonly<Record<number, string>>;
  /**
   * Answers this vendor cannot give at all, declared like a conformance suite's expected
   * failures (e.g. a self-hosted AUTOMATIC1111 has no content moderation): their cases are not run.
   */
  readonly outcomesNotOffered?: readonly "moderated"[];
}

const TOKEN = "tok_contract-SECRET-0123456789abcdef";
const STATUS_REASONS: Record<number, string> = {
  400: "UPSTREAM_INVALID_REQUEST",
  401: "UPSTREAM_AUTH",
  402: "UPSTREAM_AUTH",
  403: "UPSTREAM_AUTH",
  404: "MODEL_NOT_AVAILABLE",
  422: "UPSTREAM_INVALID_REQUEST",
  429: "UPSTREAM_RATE_LIMITED",
  500: "UPSTREAM_UNAVAILABLE",
  503: "UPSTREAM_UNAVAILABLE",
};

/**
 * The one provider contract suite (issue 3's "Done when"), run by every provider over a real
 * gRPC server: its description, happy paths and capability refusals (with zero upstream calls);
 * and, for a provider with a vendor, against its fake upstream: the upstream status table,
 * Retry-After, timeouts, slow/malformed/empty answers, moderation, cancel and deadline reaching
 * the vendor, and no token in any error, log or span.
 */
export function runProviderContractSuite(options: ContractSuiteOptions): void {
  const { definition } = options;
  const tokenEnv = definition.tokenEnv[0] ?? `${envName(definition.id)}_TOKEN`;
  const logger = createCapturingLogger();
  const sleeps: number[] = [];
  const errors: string[] = [];
  const spans = new InMemorySpanExporter();
  // Retry waits are recorded at their full length but slept briefly: no test waits for real.
  const sleep: Sleep = (ms, signal) => {
    sleeps.push(ms);
    return realSleep(Math.min(ms, 20), signal);
  };
  let fake: ContractFake | undefined;
  let served: ServedProvider;
  const upstreamRequests = (): number => fake?.requests.length ?? 0;

  const generate = async (
    request: GenerateInit,
    timeoutMs = 20_000,
    signal?: AbortSignal,
  ): Promise<GenerateResponse[]> => {
    const events: GenerateResponse[] = [];
    for await (const event of served.client.generate(request, { timeoutMs, signal })) events.push(event);
    return events;
  };
  const failure = async (run: Promise<unknown>): Promise<ConnectError> => {
    const error = await run.then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error, "the call should have failed").toBeInstanceOf(ConnectError);
    const described = describeError(error);
    errors.push(JSON.stringify({ ...described, raw: error!.message, row: described.row.name }));
    return error!;
  };
  const reasonOf = (error: ConnectError): string => describeError(error).row.name;

  describe(`provider contract: ${definition.id}`, () => {
    beforeAll(async () => {
      trace.setGlobalTracerProvider(
        new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
      );
      fake = await options.startFake?.(TOKEN);
      const env = fake ? { [tokenEnv]: TOKEN, [`${envName(definition.id)}_BASE_URL`]: fake.baseUrl } : {};
      served = await serveProvider(
        createProviderService(definition, { env, logger, sleep, pollIntervalMs: 10, maxPollIntervalMs: 50 }),
      );
    });
    afterAll(async () => {
      await served?.close();
      await fake?.close();
      trace.disable();
    });
    beforeEach(() => fake?.reset());

    it("describes itself as configured, with every declared model", async () => {
      const described = await served.client.describeProvider({});
      expect(described).toMatchObject({ id: definition.id, configured: true, statusReason: "" });
      expect(described.models.map((m) => m.id)).toEqual(definition.models.map((m) => m.id));
    });

    for (const happy of options.happy) {
      it(`serves ${happy.name}`, async () => {
        const events = await generate(happy.request);
        const images = events.flatMap((e) => (e.event.case === "image" ? [e.event.value] : []));
        expect(images).toHaveLength(happy.images);
        for (const image of images) {
          expect(image.format).not.toBe(Format.UNSPECIFIED);
          expect(image.width).toBeGreaterThan(0);
          expect(image.data.length).toBeGreaterThan(0);
        }
        const last = events.at(-1)?.event;
        expect(last?.case).toBe("completed");
        expect(last?.case === "completed" && last.value.imageCount).toBe(happy.images);
      });
    }

    it("answers GenerateUnary with what Generate streams: the same images, then completed", async () => {
      const happy = options.happy[0]!;
      const answer = await served.client.generateUnary(happy.request, { timeoutMs: 20_000 });
      expect(answer.images).toHaveLength(happy.images);
      expect(answer.images.map((i) => i.index)).toEqual(answer.images.map((_, index) => index));
      for (const image of answer.images) expect(image.data.length).toBeGreaterThan(0);
      expect(answer.completed?.imageCount).toBe(happy.images);
    });

    // A vendor's refusal and a vendor that hangs need a vendor (a fake upstream).
    if (options.startFake)
      it("fails GenerateUnary with Generate's reasons and stops the vendor job on its deadline", async () => {
        const vendor = fake as ContractFake;
        vendor.script({ kind: "status", status: 401, times: Infinity });
        const refused = await failure(served.client.generateUnary(options.baseline, { timeoutMs: 20_000 }));
        expect(reasonOf(refused)).toBe(options.statusReasons?.[401] ?? STATUS_REASONS[401]);
        vendor.reset();
        vendor.script({ kind: "hang" });
        const late = await failure(served.client.generateUnary(options.baseline, { timeoutMs: 1500 }));
        expect(late.code).toBe(Code.DeadlineExceeded);
        await vendor.sawStop();
      });

    for (const refused of [
      ...options.undeclared,
      { name: "an undeclared model", request: { ...options.baseline, model: "no-such-model" } },
    ]) {
      it(`refuses ${refused.name} before any upstream call`, async () => {
        const before = upstreamRequests();
        const error = await failure(generate(refused.request));
        expect(["UNSUPPORTED", "MODEL_NOT_AVAILABLE"]).toContain(reasonOf(error));
        expect(upstreamRequests()).toBe(before);
      });
    }

    if (options.startFake) upstreamCases();
  });

  /** The cases about a vendor behind the provider: its token, statuses, answers and jobs. */
  function upstreamCases(): void {
    const vendor = (): ContractFake => fake as ContractFake;
    it(`is not configured without ${tokenEnv} and then calls nothing upstream`, async () => {
      const bare = await serveProvider(
        createProviderService(definition, {
          env: { [`${envName(definition.id)}_BASE_URL`]: vendor().baseUrl },
          logger,
        }),
      );
      try {
        const described = await bare.client.describeProvider({});
        expect(described).toMatchObject({ configured: false, statusReason: `${tokenEnv} is not set` });
        const before = vendor().requests.length;
        const error = await failure(collect(bare, options.baseline));
        expect(reasonOf(error)).toBe("PROVIDER_NOT_CONFIGURED");
        expect(vendor().requests.length).toBe(before);
      } finally {
        await bare.close();
      }
    });

    for (const [status, fallback] of Object.entries(STATUS_REASONS)) {
      const expected = options.statusReasons?.[Number(status)] ?? fallback;
      it(`maps upstream ${status} to ${expected}`, async () => {
        vendor().script({
          kind: "status",
          status: Number(status),
          retryAfterSeconds: Number(status) === 429 ? 120 : undefined,
          times: Infinity,
        });
        const error = await failure(generate(options.baseline));
        expect(reasonOf(error)).toBe(expected);
        // The vendor refusing OUR credentials is never the caller's authentication problem.
        expect(error.code).not.toBe(Code.Unauthenticated);
        expect(error.code).not.toBe(Code.PermissionDenied);
        if (expected === "UPSTREAM_AUTH") expect(error.rawMessage).toMatch(/operator/);
        if (expected === "UPSTREAM_RATE_LIMITED") expect(describeError(error).retryAfterSeconds).toBe(120);
        if (Number(status) === 400) expect(error.rawMessage).toContain(REDACTED);
      });
    }

    it("honours Retry-After on a 429 that fits in the deadline, then serves", async () => {
      const before = vendor().submissions();
      sleeps.length = 0;
      vendor().script({ kind: "status", status: 429, retryAfterSeconds: 1, times: 1 });
      const events = await generate(options.baseline);
      expect(events.some((e) => e.event.case === "image")).toBe(true);
      expect(vendor().submissions() - before).toBe(2);
      expect(sleeps).toContain(1000);
    });

    it("maps a job that outlives the deadline to DEADLINE_EXCEEDED and stops the vendor job", async () => {
      vendor().script({ kind: "hang" });
      const error = await failure(generate(options.baseline, 1500));
      expect(error.code).toBe(Code.DeadlineExceeded);
      await vendor().sawStop();
    });

    it("maps a body that never finishes to DEADLINE_EXCEEDED", async () => {
      vendor().script({ kind: "slow-body" });
      const error = await failure(generate(options.baseline, 1500));
      expect(error.code).toBe(Code.DeadlineExceeded);
    });

    const outcomes = [
      { kind: "malformed", reason: "UPSTREAM_BAD_RESPONSE" },
      { kind: "cut-off", reason: "UPSTREAM_UNAVAILABLE" },
      { kind: "empty", reason: "UPSTREAM_BAD_RESPONSE" },
      // A vendor's moderation answers like ours: a refused prompt (seed 004's nsfw_content_detected).
      { kind: "moderated", reason: "INVALID_PROMPT" },
    ] as const;
    for (const outcome of outcomes.filter((o) => !options.outcomesNotOffered?.includes(o.kind as "moderated"))) {
      it(`maps a ${outcome.kind} answer to ${outcome.reason}`, async () => {
        vendor().script({ kind: outcome.kind });
        const error = await failure(generate(options.baseline));
        expect(reasonOf(error)).toBe(outcome.reason);
        if (outcome.kind === "moderated") expect(describeError(error).metadata.reason).toBe("nsfw_content_detected");
      });
    }

    it("stops the vendor job when the caller cancels", async () => {
      vendor().script({ kind: "hang" });
      const controller = new AbortController();
      const run = (async () => {
        for await (const event of served.client.generate(options.baseline, {
          signal: controller.signal,
          timeoutMs: 20_000,
        })) {
          if (event.event.case === "accepted") controller.abort();
        }
      })();
      const error = await failure(run);
      expect(error.code).toBe(Code.Canceled);
      await vendor().sawStop();
    });

    it("never lets the token into an error, a log line or a span", async () => {
      const leaks = (text: string): boolean => text.includes(TOKEN);
      expect(errors.length).toBeGreaterThan(5);
      expect(errors.filter(leaks)).toEqual([]);
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(logger.lines.filter(leaks)).toEqual([]);
      const spanTexts = spans
        .getFinishedSpans()
        .map((s) => JSON.stringify({ name: s.name, attributes: s.attributes, status: s.status, events: s.events }));
      expect(spanTexts.length).toBeGreaterThan(0);
      expect(spanTexts.filter(leaks)).toEqual([]);
    });
  }
}

async function collect(served: ServedProvider, request: GenerateInit): Promise<void> {
  for await (const _event of served.client.generate(request, { timeoutMs: 5000 })) {
    // Drain: only the outcome matters.
  }
}
