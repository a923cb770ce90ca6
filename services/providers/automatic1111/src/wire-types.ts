/**
 * AUTOMATIC1111 WebUI `/sdapi/v1` wire types (also spoken by Forge and most forks). Requests
 * are JSON with every field optional; images travel as base64 without a `data:` prefix; `info`
 * in the answer is a JSON document encoded as a string. See automatic1111.md.
 */

/** Body of `POST /sdapi/v1/txt2img` (the fields this provider sends). */
export interface Txt2ImgRequest {
  prompt: string;
  negative_prompt?: string;
  /** −1 = random; per-image seeds are seed + i. */
  seed: number;
  steps?: number;
  cfg_scale?: number;
  width?: number;
  height?: number;
  batch_size: number;
  n_iter: number;
  sampler_name?: string;
  scheduler?: string;
  /** Per-request options, restored afterwards: how a checkpoint is chosen per call. */
  override_settings?: { sd_model_checkpoint?: string };
  send_images: true;
  save_images: false;
}

/** Body of `POST /sdapi/v1/img2img`: txt2img's fields plus the inputs. */
export interface Img2ImgRequest extends Txt2ImgRequest {
  init_images: string[];
  /** 0 = keep the input, 1 = ignore it. */
  denoising_strength?: number;
  /** White = repaint, black = keep (our canonical convention). */
  mask?: string;
  /** 1 = start from the original pixels under the mask. */
  inpainting_fill?: number;
}

/** A request the translator wants sent. */
export type A1111Call =
  | { readonly path: "/sdapi/v1/txt2img"; readonly json: Txt2ImgRequest }
  | { readonly path: "/sdapi/v1/img2img"; readonly json: Img2ImgRequest };

/** Success body of both endpoints. */
export interface A1111Response {
  images: string[];
  parameters?: Record<string, unknown>;
  /** JSON-encoded string: parse it a second time. */
  info?: string;
}

/** The keys of the parsed `info` this provider reads. */
export interface A1111Info {
  seed?: number;
  all_seeds?: number[];
  /** When a grid was prepended, the real samples start here. */
  index_of_first_image?: number;
}

/** A1111's middleware error envelope (any exception). */
export interface A1111ErrorEnvelope {
  error: string;
  detail: string;
  body: string;
  errors: string;
}

/** FastAPI's request validation error (422). */
export interface FastApiValidationError {
  detail: { loc: (string | number)[]; msg: string; type: string }[];
}
