/** Replicate prediction states ([spec] schemas_prediction_response.status). */
export type PredictionStatus = "starting" | "processing" | "succeeded" | "failed" | "canceled" | "aborted";

/** A prediction object as create, get and cancel return it. */
export interface Prediction {
  readonly id: string;
  readonly model?: string;
  readonly version?: string;
  readonly status: PredictionStatus;
  /** null until available; image models give a URL list or a single URL (sometimes a data URI). */
  readonly output?: string | readonly string[] | null;
  readonly error?: string | null;
  readonly logs?: string | null;
  readonly metrics?: { readonly predict_time?: number; readonly total_time?: number } | null;
  readonly data_removed?: boolean;
  readonly urls?: { readonly get?: string; readonly cancel?: string; readonly web?: string };
}

/** Body of POST /v1/predictions (version-pinned); the models endpoint takes it without `version`. */
export interface CreatePredictionBody {
  readonly version?: string;
  readonly input: Record<string, unknown>;
}

/** RFC 7807 problem document Replicate answers errors with. */
export interface ReplicateProblem {
  readonly title?: string;
  readonly detail?: string;
  readonly status?: number;
  readonly invalid_fields?: ReadonlyArray<{
    readonly type?: string;
    readonly field?: string;
    readonly description?: string;
  }>;
}
