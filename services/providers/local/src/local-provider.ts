import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  Format,
  GenerateResponseSchema,
  Operation,
  ProviderService,
  type GenerateRequest,
  type GenerateResponse,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { randomUUID } from "node:crypto";
import { LOCAL_IMAGE_OPERATIONS, renderImageOperation } from "./image-operations.ts";
import { renderTextToImage } from "./render/render-text-to-image.ts";
import { ESRGAN_SLIM_MODEL, ESRGAN_SLIM_MODEL_ID, superResolveRequest } from "./super-resolution-model.ts";

/** The one model of the local provider. */
export const LOCAL_MODEL_ID = "local-procedural";

const FORMAT_NAMES = { [Format.PNG]: "png", [Format.JPEG]: "jpeg", [Format.WEBP]: "webp" } as const;

/**
 * The offline provider: real, deterministic images from prompt + seed, no network, no token, and
 * ESRGAN-slim super-resolution (weights from npm). It declares only what it does honestly.
 * No GenerateUnary (answered Unimplemented): its models report progress, so the front streams.
 */
export const localProvider: Partial<ServiceImpl<typeof ProviderService>> = {
  describeProvider() {
    return {
      id: "local",
      displayName: "Local procedural renderer",
      configured: true,
      models: [
        {
          id: LOCAL_MODEL_ID,
          displayName: "Local procedural renderer",
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
        },
        ESRGAN_SLIM_MODEL,
      ],
    };
  },

  async *generate(req, ctx): AsyncGenerator<GenerateResponse> {
    if (req.model === ESRGAN_SLIM_MODEL_ID) {
      yield event({ case: "accepted", value: { jobId: `local_${randomUUID()}` } });
      const out = await superResolveRequest(req);
      ctx.signal.throwIfAborted();
      yield event({ case: "image", value: { index: 0, data: out.bytes, format: formatOf(req), width: out.width, height: out.height } });
      yield event({ case: "completed", value: { imageCount: 1 } });
      return;
    }
    if (req.model !== LOCAL_MODEL_ID) throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `unknown local model ${req.model}`);
    const fromImage = (LOCAL_IMAGE_OPERATIONS as readonly Operation[]).includes(req.operation);
    if (req.operation !== Operation.TEXT_TO_IMAGE && !fromImage) throw apiError(ErrorReason.UNSUPPORTED, "the local provider does not offer this operation");
    yield event({ case: "accepted", value: { jobId: `local_${randomUUID()}` } });
    const n = Math.max(1, req.numOutputs);
    const baseSeed = req.seed ?? 0;
    for (let index = 0; index < n; index++) {
      ctx.signal.throwIfAborted();
      yield event({ case: "progress", value: { fraction: index / n, message: `rendering image ${index + 1} of ${n}` } });
      const seed = (baseSeed + index) >>> 0;
      if (fromImage) {
        const out = await renderImageOperation(req, seed);
        yield event({ case: "image", value: { index, data: out.bytes, format: formatOf(req), width: out.width, height: out.height, seed } });
        continue;
      }
      const data = await render(req, seed);
      yield event({
        case: "image",
        value: { index, data, format: formatOf(req), width: req.width, height: req.height, seed },
      });
    }
    yield event({ case: "completed", value: { imageCount: n } });
  },

  getJob() {
    // Local jobs run inside the Generate call and leave nothing behind to look up.
    throw apiError(ErrorReason.NOT_FOUND, "local jobs are not kept after their Generate call");
  },

  cancelJob() {
    // Canceling the Generate call (client cancel or deadline) stops the render loop.
    return {};
  },
};

function formatOf(req: GenerateRequest): Format {
  return req.outputFormat === Format.UNSPECIFIED ? Format.PNG : req.outputFormat;
}

function render(req: GenerateRequest, seed: number): Promise<Buffer> {
  return renderTextToImage({
    prompt: req.prompt,
    negativePrompt: req.negativePrompt || undefined,
    seed,
    width: req.width || 1024,
    height: req.height || 1024,
    format: FORMAT_NAMES[formatOf(req) as keyof typeof FORMAT_NAMES],
    quality: req.quality,
    steps: req.steps,
    guidance: req.guidance,
  });
}

function event(value: MessageInitShape<typeof GenerateResponseSchema>["event"]): GenerateResponse {
  return create(GenerateResponseSchema, { event: value });
}

/** Registers the local provider on a router. */
export function registerLocalProvider(router: ConnectRouter): void {
  router.service(ProviderService, localProvider);
}
