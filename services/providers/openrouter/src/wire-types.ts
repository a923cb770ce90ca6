/**
 * OpenRouter wire types for images: chat completions with `modalities` (images come back as
 * data URLs in `choices[].message.images`) and the dedicated `/images` endpoint (OpenAI-like
 * `data[].b64_json`). Only the fields this provider sends or reads; see openrouter.md.
 */

/** A content part of a chat message: text, or an input image by URL or data URL. */
export type ChatContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

/** Body of `POST /chat/completions` for image output. */
export interface ChatImageRequest {
  model: string;
  messages: { role: "user"; content: string | ChatContentPart[] }[];
  /** ["image","text"] for models that also talk (Gemini), ["image"] for image-only models. */
  modalities: ("image" | "text")[];
  image_config?: { aspect_ratio?: string; image_size?: string };
  seed?: number;
}

/** One image of an assistant message. */
export interface ChatAssistantImage {
  type?: "image_url";
  image_url: { url: string };
}

/** Success body of `/chat/completions` (the parts we read). */
export interface ChatResult {
  id?: string;
  choices?: {
    finish_reason?: string | null;
    message?: { content?: string | null; images?: ChatAssistantImage[] };
  }[];
  /** OpenRouter can report a failure in-band, inside a 200. */
  error?: OpenRouterErrorBody["error"];
}

/** Body of `POST /images`. */
export interface ImagesRequest {
  model: string;
  prompt: string;
  n?: number;
  size?: string;
  output_format?: "png" | "jpeg" | "webp";
  output_compression?: number;
  seed?: number;
  input_references?: { type: "image_url"; image_url: { url: string } }[];
}

/** Success body of `/images`. */
export interface ImagesResponse {
  created?: number;
  data?: { b64_json?: string; media_type?: string }[];
  usage?: { cost?: number };
  error?: OpenRouterErrorBody["error"];
}

/** A request the translator wants sent. */
export type OpenRouterCall =
  | { readonly path: "/chat/completions"; readonly json: ChatImageRequest }
  | { readonly path: "/images"; readonly json: ImagesRequest };

/** The error body: `code` is a number equal to the HTTP status for request-level errors. */
export interface OpenRouterErrorBody {
  error: {
    code: number | string;
    message: string;
    metadata?: {
      error_type?: string;
      reasons?: string[];
      flagged_input?: string;
      provider_name?: string;
      [key: string]: unknown;
    };
  };
}
