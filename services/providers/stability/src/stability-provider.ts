/**
 * The Stability AI provider: v2beta Stable Image over multipart. Most endpoints answer the image
 * in the same call (`accept: image/*`); creative upscale answers a job id whose result is polled
 * at /v2beta/results/{id}. Stability has no cancel: a stopped sync job is a closed connection,
 * a stopped async job is polling that stops.
 */
import { randomUUID } from "node:crypto";
import {
  toFormData,
  type ProviderDefinition,
  type ProviderEvent,
  type ProviderJob,
  type UpstreamResponse,
} from "@imagegen/provider-kit";
import { mapStabilityError } from "./map-error.ts";
import { STABILITY_MODELS } from "./models.ts";
import { translateStabilityRequest } from "./translate-request.ts";
import {
  translateStabilityImage,
  translateStabilityPoll,
  translateStabilitySubmit,
  type StabilityResult,
} from "./translate-response.ts";
import { resultsPath, type StabilityImageAnswer } from "./wire-types.ts";

/** Stability asks clients to poll results no more than once every 10 seconds. */
export const RESULT_POLL_MS = 10_000;

/** Stability AI v2beta, declared for the provider kit. */
export const stabilityProvider: ProviderDefinition = {
  id: "stability",
  displayName: "Stability AI",
  tokenEnv: ["STABILITY_API_KEY"],
  authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
  defaultBaseUrl: "https://api.stability.ai",
  models: [...STABILITY_MODELS.values()].map((m) => m.model),
  mapError: mapStabilityError,
  generate: runStabilityJob,
};

async function* runStabilityJob(job: ProviderJob): AsyncGenerator<ProviderEvent> {
  const call = translateStabilityRequest(job.request);
  const form = toFormData(call.parts);
  let result: StabilityResult;
  if (!call.async) {
    yield { type: "accepted", jobId: `stability-${job.request.generationId || randomUUID()}` };
    const response = await job.http.request({
      method: "POST",
      path: call.path,
      form,
      headers: { accept: "image/*" },
      operation: "generate",
    });
    result = translateStabilityImage(answerOf(response));
  } else {
    const submitted = await job.http.request({
      method: "POST",
      path: call.path,
      form,
      headers: { accept: "application/json" },
      operation: "submit",
    });
    const id = translateStabilitySubmit(submitted.json());
    yield { type: "accepted", jobId: id };
    result = await awaitResult(job, id);
  }
  yield { type: "image", data: result.data, seed: result.seed };
  yield { type: "completed" };
}

async function awaitResult(job: ProviderJob, id: string): Promise<StabilityResult> {
  for (let polls = 1; ; polls++) {
    await job.sleep(Math.max(RESULT_POLL_MS, job.pollIntervalMs), job.signal);
    const response = await job.http.request({
      method: "GET",
      path: resultsPath(id),
      headers: { accept: "image/*" },
      operation: "get_result",
    });
    const poll = translateStabilityPoll(response.status, answerOf(response));
    if (poll.state === "done") return poll.result;
    job.logger.debug("stability result in progress", { job_id: id, polls });
  }
}

function answerOf(response: UpstreamResponse): StabilityImageAnswer {
  return {
    contentType: response.headers.get("content-type") ?? "",
    finishReason: response.headers.get("finish-reason"),
    seed: response.headers.get("seed"),
    body: response.body,
  };
}
