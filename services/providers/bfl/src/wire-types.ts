/** BFL task states ([spec] StatusResponse); "Failed" is undocumented but seen by third-party clients. */
export type BflStatus =
  | "Pending"
  | "Ready"
  | "Error"
  | "Failed"
  | "Request Moderated"
  | "Content Moderated"
  | "Task not found";

/** Submit answer without a webhook ([spec] AsyncResponse). */
export interface BflSubmitted {
  readonly id: string;
  /** Poll exactly this URL: the task may live on another cluster. */
  readonly polling_url: string;
  /** Credits; 1 credit = $0.01. */
  readonly cost?: number | null;
  readonly input_mp?: number | null;
  readonly output_mp?: number | null;
}

/** GET polling_url ([spec] ResultResponse). */
export interface BflResult {
  readonly id: string;
  readonly status: BflStatus;
  /** When Ready: `sample` is a signed URL that expires after 10 minutes. */
  readonly result?: { readonly sample?: string; readonly seed?: number; readonly prompt?: string } | null;
  readonly progress?: number | null;
  readonly details?: Record<string, unknown> | null;
}

/** FastAPI validation error ([spec] HTTPValidationError); other errors are `{"detail": "<text>"}`. */
export interface BflErrorBody {
  readonly detail?:
    | string
    | ReadonlyArray<{ readonly loc?: ReadonlyArray<string | number>; readonly msg?: string; readonly type?: string }>;
  /** The shape BFL's own skills docs show for 429 (unverified). */
  readonly error?: string;
  readonly message?: string;
}
