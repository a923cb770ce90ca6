import type { GenerationRecord, ImageRecord } from "./store.ts";

/** GenerationRecord field → `generations` column, shared by the SQLite and PostgreSQL stores. */
export const GENERATION_COLUMNS: Record<keyof GenerationRecord, string> = {
  id: "id",
  owner: "owner",
  keyId: "key_id",
  oauthClientId: "oauth_client_id",
  status: "status",
  operation: "operation",
  model: "model",
  provider: "provider",
  prompt: "prompt",
  requestJson: "request_json",
  metadataJson: "metadata_json",
  createdAt: "created_at",
  dispatchedAt: "dispatched_at",
  completedAt: "completed_at",
  costCredits: "cost_credits",
  costUsd: "cost_usd",
  errorReason: "error_reason",
  errorMessage: "error_message",
};

/** An `images` row (SQLite or PostgreSQL driver values) as an ImageRecord. */
export function imageFromRow(r: Record<string, unknown>): ImageRecord {
  return {
    id: String(r.id),
    generationId: String(r.generation_id),
    owner: String(r.owner),
    index: Number(r.idx),
    path: String(r.path),
    width: Number(r.width),
    height: Number(r.height),
    sizeBytes: Number(r.size_bytes),
    format: String(r.format),
    seed: r.seed === null || r.seed === undefined ? undefined : Number(r.seed),
    nsfwScore: r.nsfw_score === null || r.nsfw_score === undefined ? undefined : Number(r.nsfw_score),
  };
}

/** The `images` columns an insert fills, in the order of imageToRow's values. */
export const IMAGE_INSERT_COLUMNS =
  "id, generation_id, owner, idx, path, width, height, size_bytes, format, seed, nsfw_score";

/** An ImageRecord as the values of an `images` insert (IMAGE_INSERT_COLUMNS), for either driver. */
export function imageToRow(i: ImageRecord): Array<string | number | null> {
  return [
    i.id,
    i.generationId,
    i.owner,
    i.index,
    i.path,
    i.width,
    i.height,
    i.sizeBytes,
    i.format,
    i.seed ?? null,
    i.nsfwScore ?? null,
  ];
}
