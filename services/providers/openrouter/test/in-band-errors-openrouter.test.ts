import { describeError } from "@imagegen/errors";
import { Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createProviderService } from "@imagegen/provider-kit";
import { createCapturingLogger, serveProvider, type ServedProvider } from "@imagegen/provider-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRouterProvider } from "../src/openrouter-provider.ts";
import { startFakeOpenRouter } from "./fake-openrouter.ts";

const TOKEN = "sk-or-test-in-band-0123456789";
const request = {
  model: "google/gemini-2.5-flash-image",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a fox",
  width: 1024,
  height: 1024,
  numOutputs: 1,
};

describe("openrouter errors reported inside a 200", () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenRouter>>;
  let served: ServedProvider;

  beforeAll(async () => {
    fake = await startFakeOpenRouter({ token: TOKEN });
    served = await serveProvider(
      createProviderService(openRouterProvider, {
        env: { OPENROUTER_API_KEY: TOKEN, OPENROUTER_BASE_URL: fake.baseUrl },
        logger: createCapturingLogger(),
      }),
    );
  });
  afterAll(async () => {
    await served?.close();
    await fake?.close();
  });

  it.each([
    {
      name: "a provider rate limit",
      error: { code: 429, message: "Rate limit exceeded", metadata: { error_type: "rate_limit_exceeded" } },
      reason: "UPSTREAM_RATE_LIMITED",
    },
    {
      name: "a provider failure",
      error: { code: 502, message: "Provider returned error" },
      reason: "UPSTREAM_UNAVAILABLE",
    },
    {
      name: "a moderation block",
      error: { code: 403, message: "Request blocked", metadata: { reasons: ["violence"] } },
      reason: "INVALID_PROMPT",
    },
  ])("maps $name exactly like the same status outside a 200", async ({ error, reason }) => {
    fake.inBand(error);
    const failure = await (async () => {
      for await (const _ of served.client.generate(request, { timeoutMs: 5000 })) {
        // drain
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeError(failure).row.name).toBe(reason);
  });
});
