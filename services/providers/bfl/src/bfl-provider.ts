import { apiError, ErrorReason } from "@imagegen/errors";
import {
  badResponse,
  contentPolicy,
  generationFailed,
  type ProviderDefinition,
  type ProviderEvent,
  type ProviderJob,
} from "@imagegen/provider-kit";
import { mapBflError } from "./map-error.ts";
import { BFL_MODELS } from "./models.ts";
import { costUsd, submitPath, toSubmitBody } from "./translate.ts";
import type { BflResult, BflStatus, BflSubmitted } from "./wire-types.ts";

const PROVIDER = "bfl";
const MODERATED: ReadonlySet<BflStatus> = new Set(["Request Moderated", "Content Moderated"]);
// get_result can briefly answer 404 / "Task not found" right after submit (third-party clients
// retry a few times); beyond that the task is really gone.
const NOT_FOUND_TOLERANCE = 5;

/** Black Forest Labs: submit → poll the returned polling_url verbatim → download result.sample. */
export const bflProvider: ProviderDefinition = {
  id: PROVIDER,
  displayName: "Black Forest Labs",
  tokenEnv: ["BFL_API_KEY"],
  authHeaders: (token) => ({ "x-key": token }),
  defaultBaseUrl: "https://api.bfl.ai",
  models: BFL_MODELS,
  mapError: mapBflError,
  generate: runTask,
  // BFL has no cancel endpoint: on cancel or deadline the kit aborts the poll loop and we stop.
};

async function* runTask(job: ProviderJob): AsyncGenerator<ProviderEvent> {
  const submitted = (
    await job.http.request({
      method: "POST",
      path: submitPath(job.request.model),
      json: toSubmitBody(job.request),
      operation: "submit",
    })
  ).json<BflSubmitted>();
  if (
    typeof submitted?.id !== "string" ||
    typeof submitted.polling_url !== "string" ||
    !/^https?:\/\//.test(submitted.polling_url)
  ) {
    throw badResponse(PROVIDER, "a submission without an id and polling_url");
  }
  yield { type: "accepted", jobId: submitted.id };

  let missing = 0;
  let lastProgress = -1;
  for (;;) {
    const result = await getResult(job, submitted);
    if (result.status === "Pending") {
      missing = 0;
      if (typeof result.progress === "number" && result.progress > lastProgress) {
        lastProgress = result.progress;
        yield { type: "progress", fraction: result.progress, message: "bfl: pending" };
      }
      await job.sleep(job.pollIntervalMs, job.signal);
      continue;
    }
    if (result.status === "Task not found" && ++missing <= NOT_FOUND_TOLERANCE) {
      await job.sleep(job.pollIntervalMs, job.signal);
      continue;
    }
    yield* finish(job, result, submitted);
    return;
  }
}

async function* finish(job: ProviderJob, result: BflResult, submitted: BflSubmitted): AsyncGenerator<ProviderEvent> {
  if (MODERATED.has(result.status)) {
    throw contentPolicy(
      PROVIDER,
      result.status === "Request Moderated"
        ? "the prompt or input image was moderated"
        : "the generated image was moderated",
    );
  }
  if (result.status === "Task not found") {
    throw apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, "bfl lost the task (Task not found)", {
      metadata: { provider: PROVIDER },
    });
  }
  if (result.status !== "Ready") throw generationFailed(PROVIDER, `task ended with status "${result.status}"`);
  const sample = result.result?.sample;
  if (typeof sample !== "string" || !sample) throw badResponse(PROVIDER, "a Ready task without result.sample");
  const seed = typeof result.result?.seed === "number" ? result.result.seed >>> 0 : job.request.seed;
  yield { type: "image", data: await job.download(sample), seed };
  yield { type: "completed", providerCostUsd: costUsd(submitted.cost) };
}

// The polling URL is followed verbatim (another cluster may hold the task) and carries x-key.
async function getResult(job: ProviderJob, submitted: BflSubmitted): Promise<BflResult> {
  const response = await job.http.request({
    method: "GET",
    url: submitted.polling_url,
    auth: true,
    acceptStatuses: [404],
    operation: "get_result",
  });
  if (response.status === 404) return { id: submitted.id, status: "Task not found" };
  const result = response.json<BflResult>();
  if (!result || typeof result.status !== "string") throw badResponse(PROVIDER, "a poll answer without a status");
  return result;
}
