import { apiError, ErrorReason } from "@imagegen/errors";
import {
  badResponse,
  contentPolicy,
  generationFailed,
  type ProviderDefinition,
  type ProviderEvent,
  type ProviderJob,
} from "@imagegen/provider-kit";
import { mapReplicateError, MODERATION } from "./map-error.ts";
import { passThroughModel, REPLICATE_MODELS, replicateModel } from "./models.ts";
import { outputLocations, progressFromLogs, seedFromLogs, toCreateCall } from "./translate.ts";
import type { Prediction, PredictionStatus } from "./wire-types.ts";

const PROVIDER = "replicate";
const TERMINAL: ReadonlySet<PredictionStatus> = new Set(["succeeded", "failed", "canceled", "aborted"]);
// Sync mode holds the create call open; a short hold gets fast models back in one round trip
// while slow ones still report progress through polling.
const PREFER_WAIT_SECONDS = 5;

/** Replicate predictions: create (official model or pinned version), Prefer: wait, poll, cancel. */
export const replicateProvider: ProviderDefinition = {
  id: PROVIDER,
  displayName: "Replicate",
  tokenEnv: ["REPLICATE_API_TOKEN", "REPLICATE_API_KEY"],
  authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
  // Host only, as the official clients read REPLICATE_BASE_URL; paths carry /v1.
  defaultBaseUrl: "https://api.replicate.com",
  models: REPLICATE_MODELS,
  // Seed 001 names Replicate models directly: any "owner/name[:version]" is passed through.
  passThroughModel,
  mapError: mapReplicateError,
  generate: runPrediction,

  async cancel(jobId, { http }) {
    await http.request({
      method: "POST",
      path: `/v1/predictions/${encodeURIComponent(jobId)}/cancel`,
      idempotent: true,
      operation: "cancel_prediction",
    });
  },
};

async function* runPrediction(job: ProviderJob): AsyncGenerator<ProviderEvent> {
  const model = replicateModel(job.request.model);
  if (!model) throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `replicate does not declare ${job.request.model}`);
  const call = toCreateCall(job.request, model);
  const remainingSeconds = Math.floor(remainingMs(job) / 1000);
  const created = await job.http.request({
    method: "POST",
    path: call.path,
    json: call.body,
    operation: "create_prediction",
    headers: {
      prefer: `wait=${Math.max(1, Math.min(PREFER_WAIT_SECONDS, remainingSeconds - 1))}`,
      // If we vanish mid-create (before we know the id to cancel), Replicate cancels it itself.
      "cancel-after": `${Math.max(5, remainingSeconds + 5)}s`,
    },
  });
  let prediction = checked(created.json<Prediction>());
  yield { type: "accepted", jobId: prediction.id };

  let lastProgress = -1;
  while (!TERMINAL.has(prediction.status)) {
    const fraction = progressFromLogs(prediction.logs);
    if (fraction !== undefined && fraction > lastProgress) {
      lastProgress = fraction;
      yield { type: "progress", fraction, message: `replicate: ${prediction.status}` };
    }
    const id = prediction.id;
    prediction = await job.poll(async () => {
      const next = checked(
        (
          await job.http.request({
            method: "GET",
            path: `/v1/predictions/${encodeURIComponent(id)}`,
            operation: "get_prediction",
          })
        ).json<Prediction>(),
      );
      return TERMINAL.has(next.status) || next.logs !== prediction.logs ? next : undefined;
    });
  }
  yield* finish(job, prediction);
}

async function* finish(job: ProviderJob, prediction: Prediction): AsyncGenerator<ProviderEvent> {
  switch (prediction.status) {
    case "failed": {
      const error = prediction.error ?? "no reason given";
      throw MODERATION.test(error) ? contentPolicy(PROVIDER, error) : generationFailed(PROVIDER, error);
    }
    case "canceled":
      throw generationFailed(PROVIDER, "the prediction was canceled on Replicate");
    case "aborted":
      throw apiError(ErrorReason.TIMEOUT, "replicate aborted the prediction before it started (its deadline passed)", {
        metadata: { provider: PROVIDER },
      });
    default:
      break;
  }
  if (prediction.data_removed) throw badResponse(PROVIDER, "a prediction whose outputs were already removed");
  const locations = outputLocations(prediction);
  if (locations.length === 0) throw badResponse(PROVIDER, "success but no output");
  const seed = seedFromLogs(prediction.logs) ?? job.request.seed;
  for (const [index, location] of locations.entries()) {
    // SDXL logs one seed for the batch; its images use seed, seed+1, ...
    yield {
      type: "image",
      data: await job.download(location),
      seed: seed === undefined ? undefined : (seed + index) >>> 0,
    };
  }
  yield { type: "completed", predictTimeSeconds: prediction.metrics?.predict_time ?? 0 };
}

// A 2xx that is not a prediction object is the vendor's bad answer.
function checked(prediction: Prediction): Prediction {
  if (!prediction || typeof prediction.id !== "string" || typeof prediction.status !== "string") {
    throw badResponse(PROVIDER, "something that is not a prediction");
  }
  return prediction;
}

function remainingMs(job: ProviderJob): number {
  return job.http.deadlineAt - Date.now();
}
