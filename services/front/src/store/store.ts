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
}

export type GenerationState = "queued" | "processing" | "completed" | "failed" | "canceled";

export interface GenerationRecord {
  readonly id: string;
  readonly owner: string;
  readonly keyId: string;
  readonly status: GenerationState;
  readonly operation: string;
  readonly model: string;
  readonly provider: string;
  readonly prompt: string;
  /** The canonical request as JSON (for replays, cache keys and the watch stream). */
  readonly requestJson: string;
  readonly metadataJson: string;
  readonly createdAt: number;
  readonly completedAt?: number;
  readonly costCredits: number;
  readonly costUsd: number;
  readonly errorReason?: string;
  readonly errorMessage?: string;
}

/**
 * Everything the front persists. One interface, so the embedded SQLite default and the
 * PostgreSQL backend for several replicas pass one test suite.
 */
export interface Store {
  insertGeneration(record: GenerationRecord): Promise<void>;
  /** Applies a partial update; returns the record after it. */
  updateGeneration(id: string, patch: Partial<Omit<GenerationRecord, "id" | "owner">>): Promise<GenerationRecord>;
  /** The generation if it belongs to `owner`; another owner's reads as absent. */
  getGeneration(owner: string, id: string): Promise<GenerationRecord | undefined>;
  /** The owner's generations, newest first; `before` is the createdAt/id cursor of the previous page. */
  listGenerations(owner: string, options: { limit: number; status?: GenerationState; before?: { createdAt: number; id: string } }): Promise<GenerationRecord[]>;
  insertImages(images: readonly ImageRecord[]): Promise<void>;
  listImages(generationId: string): Promise<ImageRecord[]>;
  /** One image if it belongs to `owner`. */
  getImage(owner: string, imageId: string): Promise<ImageRecord | undefined>;
  close(): Promise<void>;
}
