import { apiError, ErrorReason } from "@imagegen/errors";
import { Format, Operation, type GenerateRequest } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import {
  formatName,
  type ModelDeclaration,
  type ProviderDefinition,
  type ProviderEvent,
  type ProviderJob,
} from "@imagegen/provider-kit";
import { LOCAL_IMAGE_OPERATIONS, renderImageOperation } from "./image-operations.ts";
import { renderTextToImage } from "./render/render-text-to-image.ts";
import { ISNET_MODEL, ISNET_MODEL_ID, removeBackgroundRequest } from "./background-removal-model.ts";
import { ESRGAN_SLIM_MODEL, ESRGAN_SLIM_MODEL_ID, superResolveRequest } from "./super-resolution-model.ts";

/** The procedural model of the local provider. */
export const LOCAL_MODEL_ID = "local-procedural";

const PROCEDURAL_MODEL: ModelDeclaration = {
  id: LOCAL_MODEL_ID,
  // The catalog quotes this name when the model stands in for a real one offline.
  displayName: "procedural renderer (no AI model)",
  usdPerImage: 0,
  limits: {
    operations: [Operation.TEXT_TO_IMAGE, ...LOCAL_IMAGE_OPERATIONS],
    minSize: 64,
    maxSize: 2048,
    sizeMultiple: 8,
    maxOutputs: 4,
    negativePrompt: true,
    seed: true,
    steps: true,
    guidance: true,
    formats: [Format.PNG, Format.JPEG, Format.WEBP],
    maxPromptLength: 1000,
    progress: true,
  },
};

/**
 * The offline provider: real, deterministic images from prompt + seed, no network, no token, and
 * ESRGAN-slim super-resolution (weights from npm) and ISNet background removal (`npm run models`). It declares only what it does honestly. Built
 * on the provider kit like every vendor (limits checked, cancel and deadline, logs); it has no
 * vendor behind it, so no token and no base URL.
 */
export const localProvider: ProviderDefinition = {
  id: "local",
  displayName: "Local procedural renderer",
  tokenEnv: [],
  authHeaders: () => ({}),
  // Never called: every job runs in this process.
  defaultBaseUrl: "http://127.0.0.1",
  models: [PROCEDURAL_MODEL, ESRGAN_SLIM_MODEL, ISNET_MODEL],
  generate: runLocalJob,
};

async function* runLocalJob(job: ProviderJob): AsyncGenerator<ProviderEvent> {
  const req = job.request;
  yield { type: "accepted", jobId: `local_${crypto.randomUUID()}` };
  if (req.model === ESRGAN_SLIM_MODEL_ID) {
    const out = await superResolveRequest(req, job.signal);
    yield { type: "image", data: out.bytes };
    yield { type: "completed" };
    return;
  }
  if (req.model === ISNET_MODEL_ID) {
    const out = await removeBackgroundRequest(req, job.signal);
    yield { type: "image", data: out.bytes };
    yield { type: "completed" };
    return;
  }
  if (req.model !== LOCAL_MODEL_ID) throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `unknown local model ${req.model}`);
  const fromImage = (LOCAL_IMAGE_OPERATIONS as readonly Operation[]).includes(req.operation);
  const n = Math.max(1, req.numOutputs);
  const baseSeed = req.seed ?? 0;
  for (let index = 0; index < n; index++) {
    job.signal.throwIfAborted();
    yield { type: "progress", fraction: index / n, message: `rendering image ${index + 1} of ${n}` };
    const seed = (baseSeed + index) >>> 0;
    const data = fromImage ? (await renderImageOperation(req, seed)).bytes : await render(req, seed);
    yield { type: "image", data, seed };
  }
  yield { type: "completed" };
}

function render(req: GenerateRequest, seed: number): Promise<Buffer> {
  return renderTextToImage({
    prompt: req.prompt,
    negativePrompt: req.negativePrompt || undefined,
    seed,
    width: req.width || 1024,
    height: req.height || 1024,
    format: formatName(req.outputFormat),
    quality: req.quality,
    steps: req.steps,
    guidance: req.guidance,
  });
}
