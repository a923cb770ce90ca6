import type { ApiKeyRecord, IdempotencyRecord } from "./api-key-record.ts";
import type { Lease } from "../leases/lease-store.ts";
import type { UsageTotals } from "./usage-totals.ts";

export type { ApiKeyRecord, IdempotencyRecord } from "./api-key-record.ts";
export type { UsageTotals } from "./usage-totals.ts";

/** A stored output image: the file lives in the image store, the row says what it is. */
export interface ImageRecord {
  readonly id: string;
  readonly generationId: string;
  readonly owner: string;
  readonly index: number;
  /** Path relative to the images dir, e.g. "gen_x/img_y.png". */
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly sizeBytes: number;
  /** "png" | "jpg" | "webp" */
  readonly format: string;
  readonly seed?: number;
  /** 0-1 from a real classifier (the provider's or NSFWJS); absent when none ran. */
  readonly nsfwScore?: number;
}

/** Measured times of one model's completed generations (see Store.modelTimings). */
export interface ModelTimings {
  readonly model: string;
  readonly queueMs: number;
  readonly generationMs: number;
  readonly count: number;
}

export type GenerationState = "queued" | "processing" | "completed" | "failed" | "canceled";

/** States a generation never leaves: every store refuses to update a generation in one. */
export const TERMINAL_STATES: readonly GenerationState[] = ["completed", "failed", "canceled"];

export interface GenerationRecord {
  readonly id: string;
  readonly owner: string;
  readonly keyId: string;
  /** The OAuth app that acted for the owner (its client_id), when the call carried an access token. */
  readonly oauthClientId?: string;
  readonly status: GenerationState;
  readonly operation: string;
  readonly model: string;
  readonly provider: string;
  readonly prompt: string;
  /** The canonical request as JSON (for replays, cache keys and the watch stream). */
  readonly requestJson: string;
  readonly metadataJson: string;
  readonly createdAt: number;
  /** When it was handed to a provider (the end of its queue time); unset until then. */
  readonly dispatchedAt?: number;
  readonly completedAt?: number;
  readonly costCredits: number;
  readonly costUsd: number;
  readonly errorReason?: string;
  readonly errorMessage?: string;
}

/** What else an update of a generation does in its transaction. */
export interface UpdateOptions {
  /**
   * Drops the generation's lease (leases/) in the same transaction, whether or not the update
   * applied: the outcome is recorded either way (this update's or the terminal one it lost to).
   */
  readonly releaseLease?: boolean;
  /**
   * Image rows recorded in the same transaction, only if the update applies (one that lost to a
   * terminal state records none): a completion and its images are one commit, not two.
   */
  readonly images?: readonly ImageRecord[];
}

/**
 * Everything the front persists. One interface, so the embedded SQLite default and the
 * PostgreSQL backend for several replicas pass one test suite.
 */
export interface Store {
  /**
   * Inserts a generation; with `lease`, takes the generation's lease (leases/) in the same
   * transaction, so a generation is never stored without the lease that lets a replica recover it.
   */
  insertGeneration(record: GenerationRecord, lease?: Lease): Promise<void>;
  /**
   * Applies a partial update unless the generation is already terminal (TERMINAL_STATES are
   * final: a completion racing a cancel on another replica cannot overwrite it, nor charge).
   * Returns the record as it is after the call: the caller's update, or the terminal record
   * untouched when the update lost that race (compare its `status` with the one written).
   */
  updateGeneration(
    id: string,
    patch: Partial<Omit<GenerationRecord, "id" | "owner">>,
    options?: UpdateOptions,
  ): Promise<GenerationRecord>;
  /**
   * Per model, the mean milliseconds its generations completed since `since` spent queued
   * (created → dispatched) and generating (dispatched → completed): seed 004's `performance`.
   */
  modelTimings(since: number): Promise<ModelTimings[]>;
  /** Those of `ids` whose generation is canceled (a running replica's cheap check for a cancel made elsewhere). */
  canceledAmong(ids: readonly string[]): Promise<string[]>;
  /** The generation if it belongs to `owner`; another owner's reads as absent. */
  getGeneration(owner: string, id: string): Promise<GenerationRecord | undefined>;
  /** The owner's generations, newest first; `before` is the createdAt/id cursor of the previous page. */
  listGenerations(
    owner: string,
    options: { limit: number; status?: GenerationState; before?: { createdAt: number; id: string } },
  ): Promise<GenerationRecord[]>;
  insertImages(images: readonly ImageRecord[]): Promise<void>;
  listImages(generationId: string): Promise<ImageRecord[]>;
  /** Forgets a generation's image rows (the partial result of one that failed or was canceled). */
  deleteImages(generationId: string): Promise<void>;
  /** One image if it belongs to `owner`. */
  getImage(owner: string, imageId: string): Promise<ImageRecord | undefined>;
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  /**
   * The key whose secret hashes to `hashHex`, revoked or not; read on every request so a
   * revocation on any replica wins at once.
   */
  findApiKeyByHash(hashHex: string): Promise<ApiKeyRecord | undefined>;
  /** Keys, oldest first; one owner's when `owner` is set. */
  listApiKeys(options: { owner?: string; includeRevoked?: boolean }): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked (keeping the first revocation time); undefined when no such key. */
  revokeApiKey(id: string, at: number): Promise<ApiKeyRecord | undefined>;
  /**
   * Credits the owner's generations created in the UTC month starting at `month` (ms) cost —
   * what was actually produced — read from a running total (see monthly-credits.ts).
   */
  creditsSpentInMonth(owner: string, month: number): Promise<number>;
  /**
   * Remembers `record` unless the owner already used its key after `notBefore`; returns the
   * record that holds the key now (the caller's or the earlier one). Atomic across replicas.
   */
  claimIdempotencyKey(record: IdempotencyRecord, notBefore: number): Promise<IdempotencyRecord>;
  /** The owner's images and credits today and this month (UTC), for the profile. */
  usageTotals(owner: string, now?: Date): Promise<UsageTotals>;
  /** Gives a claimed key up again (its generation was never created), only if it still names `generationId`. */
  releaseIdempotencyKey(owner: string, key: string, generationId: string): Promise<void>;
  close(): Promise<void>;
}
