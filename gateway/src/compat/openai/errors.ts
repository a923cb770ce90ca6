import { describeError, PROMPT_REFUSAL_DETAILS } from "@imagegen/errors";

/** OpenAI's error body: all four keys always present. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

// Canonical field paths → the OpenAI request field a client sent.
const PARAMS: Record<string, string> = {
  prompt: "prompt",
  model: "model",
  "parameters.num_outputs": "n",
  num_outputs: "n",
  n: "n",
  "parameters.width": "size",
  "parameters.height": "size",
  size: "size",
  init_image: "image",
  image: "image",
  mask_image: "mask",
  mask: "mask",
  "output.format": "output_format",
  output_format: "output_format",
  response_format: "response_format",
};

/**
 * Renders any error as OpenAI does: the table's status, except that a spent quota is OpenAI's
 * 429 `insufficient_quota` (the SDK's RateLimitError), and OpenAI's `type`/`code` vocabulary.
 */
export function renderOpenAiError(error: unknown): {
  status: number;
  body: OpenAiErrorBody;
  retryAfterSeconds?: number;
} {
  const described = describeError(error);
  const field = described.fieldViolations[0]?.field;
  const param = field === undefined ? null : (PARAMS[field] ?? field);
  const message = inClientTerms(described.message, described.fieldViolations);
  const name = described.row.name;
  let status = described.row.httpStatus;
  let type = status >= 500 ? "server_error" : "invalid_request_error";
  let code: string | null = name.toLowerCase();
  if (name === "UNAUTHORIZED") code = "invalid_api_key";
  if (name === "RATE_LIMITED") [type, code] = ["requests", "rate_limit_exceeded"];
  if (name === "QUOTA_EXCEEDED") [status, type, code] = [429, "insufficient_quota", "insufficient_quota"];
  // A refused prompt (our moderation or a vendor's) is OpenAI's own content-policy refusal.
  if (name === "CONTENT_POLICY" || described.metadata.reason === PROMPT_REFUSAL_DETAILS.reason)
    code = "content_policy_violation";
  if (name === "NOT_FOUND" && field === undefined && described.metadata.model) code = "model_not_found";
  return { status, body: { error: { message, type, param, code } }, retryAfterSeconds: described.retryAfterSeconds };
}

// Which dimension of `size` a canonical field is, so "size" alone does not hide which one failed.
const SIZE_PART: Record<string, string> = { "parameters.width": "width", "parameters.height": "height" };

/**
 * The message with the fields the client sent: a violation of a canonical field
 * ("parameters.num_outputs") is told by its OpenAI name ("n"), in OpenAI's own wording
 * ("Invalid 'n': …"). A message about fields the client named itself is kept as it is.
 */
function inClientTerms(message: string, violations: ReadonlyArray<{ field: string; description: string }>): string {
  if (!violations.some((v) => PARAMS[v.field] !== undefined && PARAMS[v.field] !== v.field)) return message;
  return violations
    .map((v) => {
      const name = PARAMS[v.field] ?? v.field;
      const part = SIZE_PART[v.field];
      return `Invalid '${name}'${part ? ` (${part})` : ""}: ${v.description}`;
    })
    .join("; ");
}
