/**
 * The OpenRouter provider: chat models draw through `/chat/completions` with `modalities`
 * (images come back as data URLs), image models through `/images` (base64). Calls are
 * synchronous; OpenRouter may still report a failure inside a 200, which is mapped exactly like
 * the same status outside it.
 */
import { randomUUID } from "node:crypto";
import { upstreamError, type ProviderDefinition, type ProviderEvent, type ProviderJob } from "@imagegen/provider-kit";
import { mapOpenRouterError } from "./map-error.ts";
import { OPENROUTER_MODELS } from "./models.ts";
import { translateOpenRouterRequest } from "./translate-request.ts";
import { translateChatResponse, translateImagesResponse } from "./translate-response.ts";

const PROVIDER = "openrouter";

/** OpenRouter, declared for the provider kit. */
export const openRouterProvider: ProviderDefinition = {
  id: PROVIDER,
  displayName: "OpenRouter",
  tokenEnv: ["OPENROUTER_API_KEY"],
  authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
  defaultBaseUrl: "https://openrouter.ai/api/v1",
  models: [...OPENROUTER_MODELS.values()].map((m) => m.model),
  mapError: mapOpenRouterError,
  generate: runOpenRouterJob,
};

async function* runOpenRouterJob(job: ProviderJob): AsyncGenerator<ProviderEvent> {
  const call = translateOpenRouterRequest(job.request);
  // OpenRouter has no job ids; ours lets the caller cancel (which closes the connection).
  yield { type: "accepted", jobId: `openrouter-${job.request.generationId || randomUUID()}` };
  const chat = call.path === "/chat/completions";
  const response = await job.http.request({
    method: "POST",
    path: call.path,
    json: call.json,
    operation: chat ? "chat_completions" : "create_images",
  });
  const outcome = chat ? translateChatResponse(response.json()) : translateImagesResponse(response.json());
  if (!outcome.ok) {
    const failed = { status: outcome.status, headers: response.headers, text: outcome.text };
    // The kit scrubs the token from every error it passes on, so no redactor is needed here.
    throw upstreamError({
      provider: PROVIDER,
      response: failed,
      vendor: mapOpenRouterError(failed),
      redact: (text) => text,
    });
  }
  for (const location of outcome.locations) yield { type: "image", data: await job.download(location) };
  yield { type: "completed", providerCostUsd: outcome.costUsd };
}
