/**
 * The AUTOMATIC1111 provider: txt2img / img2img on a self-hosted WebUI (`--api`) at
 * A1111_BASE_URL. Configured by the base URL, not a token; A1111_API_AUTH ("user:pass" as in
 * `--api-auth`, or a bearer token for a reverse proxy) is optional. A call blocks until the
 * batch is rendered; a caller who leaves triggers `/sdapi/v1/interrupt`, since the WebUI would
 * otherwise keep the GPU busy for nobody.
 */
import { randomUUID } from "node:crypto";
import type { ProviderDefinition, ProviderEvent, ProviderJob } from "@imagegen/provider-kit";
import { mapA1111Error } from "./map-error.ts";
import { a1111Models } from "./models.ts";
import { translateA1111Request } from "./translate-request.ts";
import { translateA1111Response } from "./translate-response.ts";

/** Headers for A1111_API_AUTH: HTTP Basic for "user:pass" (A1111's own --api-auth), else Bearer (a proxy's token). */
export function a1111AuthHeaders(credential: string): Record<string, string> {
  return credential.includes(":")
    ? { authorization: `Basic ${Buffer.from(credential, "utf8").toString("base64")}` }
    : { authorization: `Bearer ${credential}` };
}

/** Joins A1111_USERNAME/A1111_PASSWORD into A1111_API_AUTH when only the parts are set. */
export function withJoinedCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.A1111_API_AUTH || !env.A1111_USERNAME || !env.A1111_PASSWORD) return env;
  return { ...env, A1111_API_AUTH: `${env.A1111_USERNAME}:${env.A1111_PASSWORD}` };
}

/** AUTOMATIC1111 WebUI, declared for the provider kit (models from A1111_MODELS). */
export function createAutomatic1111Provider(env: NodeJS.ProcessEnv = process.env): ProviderDefinition {
  return {
    id: "automatic1111",
    displayName: "AUTOMATIC1111 WebUI",
    tokenEnv: ["A1111_API_AUTH"],
    authHeaders: a1111AuthHeaders,
    defaultBaseUrl: "http://127.0.0.1:7860",
    baseUrlEnv: "A1111_BASE_URL",
    models: a1111Models(env),
    mapError: mapA1111Error,
    generate: runA1111Job,
    notConfiguredReason: (e) => (e.A1111_BASE_URL?.trim() ? undefined : "A1111_BASE_URL is not set"),

    async cancel(_jobId, { http }) {
      // The WebUI runs one job at a time and has no job ids: interrupt stops the current one.
      await http.request({ method: "POST", path: "/sdapi/v1/interrupt", idempotent: true, operation: "interrupt" });
    },
  };
}

async function* runA1111Job(job: ProviderJob): AsyncGenerator<ProviderEvent> {
  const call = translateA1111Request(job.request);
  yield { type: "accepted", jobId: `automatic1111-${job.request.generationId || randomUUID()}` };
  const response = await job.http.request({
    method: "POST",
    path: call.path,
    json: call.json,
    operation: call.path.endsWith("txt2img") ? "txt2img" : "img2img",
  });
  for (const image of translateA1111Response(response.json()))
    yield { type: "image", data: image.data, seed: image.seed };
  yield { type: "completed" };
}
