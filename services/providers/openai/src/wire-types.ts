/**
 * OpenAI Images API wire types, as the official OpenAPI document defines them
 * (`CreateImageRequest`, `CreateImageEditRequest`, `CreateImageVariationRequest`,
 * `ImagesResponse`, `ErrorResponse`). Only the fields this provider sends or reads.
 */

// Multipart parts are the kit's (one shape for every vendor that takes files).
import type { MultipartPart } from "@imagegen/provider-kit";
export type { MultipartPart };

/** Body of `POST /images/generations` (JSON). */
export interface OpenAiGenerationsRequest {
  model: string;
  prompt: string;
  n?: number;
  size?: string;
  quality?: string;
  /** DALL·E only; GPT image models refuse it and always answer base64. */
  response_format?: "url" | "b64_json";
  /** GPT image models only. */
  output_format?: "png" | "jpeg" | "webp";
  /** GPT image models with jpeg/webp only. */
  output_compression?: number;
  user?: string;
}

/** A request the translator wants sent: path under the base URL, plus a JSON or multipart body. */
export type OpenAiCall =
  | { readonly path: "/images/generations"; readonly json: OpenAiGenerationsRequest }
  | { readonly path: "/images/edits" | "/images/variations"; readonly parts: readonly MultipartPart[] };

/** One item of `ImagesResponse.data`. */
export interface OpenAiImage {
  b64_json?: string;
  /** DALL·E only; valid for 60 minutes. */
  url?: string;
  revised_prompt?: string;
}

/** Success body of all three endpoints. */
export interface OpenAiImagesResponse {
  created: number;
  data?: OpenAiImage[];
  output_format?: "png" | "jpeg" | "webp";
  size?: string;
  usage?: { total_tokens?: number; input_tokens?: number; output_tokens?: number };
}

/** Error body of every non-2xx answer. */
export interface OpenAiErrorResponse {
  error: { message: string; type: string; param: string | null; code: string | null };
}
