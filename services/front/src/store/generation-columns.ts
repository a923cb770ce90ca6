import type { GenerationRecord } from "./store.ts";

/** GenerationRecord field → `generations` column, shared by the SQLite and PostgreSQL stores. */
export const GENERATION_COLUMNS: Record<keyof GenerationRecord, string> = {
  id: "id",
  owner: "owner",
  keyId: "key_id",
  status: "status",
  operation: "operation",
  model: "model",
  provider: "provider",
  prompt: "prompt",
  requestJson: "request_json",
  metadataJson: "metadata_json",
  createdAt: "created_at",
  completedAt: "completed_at",
  costCredits: "cost_credits",
  costUsd: "cost_usd",
  errorReason: "error_reason",
  errorMessage: "error_message",
};
