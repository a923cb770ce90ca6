/**
 * Canonical GenerateRequest → A1111 txt2img/img2img body. Pure (no I/O). The WebUI has no
 * output-format or per-call model field: the checkpoint goes in `override_settings`, and the
 * server's own `samples_format` decides the encoding.
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  Operation,
  type GenerateRequest,
  type InputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { A1111Call, Txt2ImgRequest } from "./wire-types.ts";

/** A1111's "random seed". */
export const RANDOM_SEED = -1;

/** Translates one canonical job to the WebUI call that runs it. */
export function translateA1111Request(req: GenerateRequest): A1111Call {
  const common = commonFields(req);
  switch (req.operation) {
    case Operation.TEXT_TO_IMAGE:
      return { path: "/sdapi/v1/txt2img", json: common };
    case Operation.IMAGE_TO_IMAGE:
    case Operation.INPAINT: {
      const image = requireImage(req.initImage, "init_image");
      // A1111 renders 512x512 unless told; an edit should keep the input's size.
      const json = {
        ...common,
        width: req.width || image.width,
        height: req.height || image.height,
        init_images: [base64(image)],
      };
      if (req.strength !== undefined) Object.assign(json, { denoising_strength: req.strength });
      if (req.operation === Operation.INPAINT) {
        // Our mask is already A1111's convention (white = repaint); fill from the original pixels.
        Object.assign(json, { mask: base64(requireImage(req.mask, "mask")), inpainting_fill: 1 });
      }
      return { path: "/sdapi/v1/img2img", json };
    }
    default:
      throw apiError(ErrorReason.UNSUPPORTED, `model ${req.model} does not offer this operation`);
  }
}

function commonFields(req: GenerateRequest): Txt2ImgRequest {
  const body: Txt2ImgRequest = {
    prompt: req.prompt,
    seed: req.seed ?? RANDOM_SEED,
    batch_size: Math.max(1, req.numOutputs),
    n_iter: 1,
    send_images: true,
    save_images: false,
  };
  if (req.negativePrompt) body.negative_prompt = req.negativePrompt;
  if (req.steps !== undefined) body.steps = req.steps;
  if (req.guidance !== undefined) body.cfg_scale = req.guidance;
  if (req.width) body.width = req.width;
  if (req.height) body.height = req.height;
  if (req.sampler) body.sampler_name = req.sampler;
  if (req.scheduler) body.scheduler = req.scheduler;
  if (req.model) body.override_settings = { sd_model_checkpoint: req.model };
  return body;
}

function requireImage(image: InputImage | undefined, field: string): InputImage {
  if (!image?.data.length) {
    throw apiError(ErrorReason.INVALID_REQUEST, `${field} is required for this operation`, {
      fieldViolations: [{ field, description: "required" }],
    });
  }
  return image;
}

function base64(image: InputImage): string {
  return Buffer.from(image.data).toString("base64");
}
