import { STATUS_CODES } from "node:http";
import { describeError, type DescribedError } from "@imagegen/errors";

// Replicate's answers that mean "this model reference is wrong or not yours": the seed's 422
// "Invalid version or not permitted".
const MODEL_REF_REFUSED = new Set(["404", "422"]);

/**
 * Seed 001's error body {"error": "<text>"}. Its table: 400 malformed, 401 unauthenticated, 422
 * "invalid version or not permitted" — which is what an unknown model or one the key may not
 * use is here. An error Replicate answered is written in the document's own form,
 * "ReplicateError Details:\ntitle: …\nstatus: <Replicate's status>\ndetail: …", with our status
 * (a Replicate 401 is our credential: 502). Everything else is "<REASON>: <message>".
 */
export function renderSeed001Error(error: unknown): {
  status: number;
  body: { error: string };
  retryAfterSeconds?: number;
} {
  const described = describeError(error);
  const name = described.row.name;
  const replicate = replicateAnswer(described);
  if (replicate) {
    const status = MODEL_REF_REFUSED.has(replicate.status) ? 422 : described.row.httpStatus;
    const text = `ReplicateError Details:\ntitle: ${replicate.title}\nstatus: ${replicate.status}\ndetail: ${replicate.detail}`;
    return { status, body: { error: text }, retryAfterSeconds: described.retryAfterSeconds };
  }
  const status = name === "NOT_FOUND" || name === "FORBIDDEN" ? 422 : described.row.httpStatus;
  return { status, body: { error: `${name}: ${described.message}` }, retryAfterSeconds: described.retryAfterSeconds };
}

/** Replicate's own title, status and detail when the error is an answer of Replicate's API. */
function replicateAnswer(described: DescribedError): { title: string; status: string; detail: string } | undefined {
  const { provider, upstream_status: status, upstream_title: title, upstream_message: detail } = described.metadata;
  if (provider !== "replicate" || !status) return undefined;
  // Where Replicate's words are not relayed (our credentials), the detail is ours.
  return { title: title || STATUS_CODES[Number(status)] || "Error", status, detail: detail || described.message };
}
