/**
 * The OpenAI Images provider: generations (JSON), edits and variations (multipart), against
 * api.openai.com or any OpenAI-compatible server at OPENAI_BASE_URL. Calls are synchronous;
 * closing the connection is the only way to stop one (OpenAI has no cancel).
 */
import { randomUUID } from "node:crypto";
import { toFormData, type ProviderDefinition, type ProviderEvent, type ProviderJob } from "@imagegen/provider-kit";
import { mapOpenAiError } from "./map-error.ts";
import { OPENAI_MODELS } from "./models.ts";
import { translateOpenAiRequest } from "./translate-request.ts";
import { translateOpenAiResponse } from "./translate-response.ts";

const OPERATIONS = {
  "/images/generations": "create_image",
  "/images/edits": "edit_image",
  "/images/variations": "create_variation",
} as const;

/** OpenAI Images, declared for the provider kit. */
export const openAiProvider: ProviderDefinition = {
  id: "openai",
  displayName: "OpenAI Images",
  tokenEnv: ["OPENAI_API_KEY"],
  authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
  // Includes /v1, as OPENAI_BASE_URL does for the official SDKs.
  defaultBaseUrl: "https://api.openai.com/v1",
  models: [...OPENAI_MODELS.values()].map((m) => m.model),
  mapError: mapOpenAiError,
  generate: runOpenAiJob,
};

async function* runOpenAiJob(job: ProviderJob): AsyncGenerator<ProviderEvent> {
  const call = await translateOpenAiRequest(job.request);
  // OpenAI has no job ids; ours lets the caller cancel (which closes the connection).
  yield { type: "accepted", jobId: `openai-${job.request.generationId || randomUUID()}` };
  const response = await job.http.request({
    method: "POST",
    path: call.path,
    ...("json" in call ? { json: call.json } : { form: toFormData(call.parts) }),
    operation: OPERATIONS[call.path],
  });
  for (const result of translateOpenAiResponse(response.json(), job.request.outputFormat)) {
    // DALL·E URLs expire after an hour: fetched now, into our store.
    yield { type: "image", data: result.kind === "bytes" ? result.data : await job.download(result.url) };
  }
  yield { type: "completed" };
}
