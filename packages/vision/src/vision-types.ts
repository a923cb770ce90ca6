/** What to run on one image; every field is opt-in so a caller pays only for what it reports. */
export interface AnalysisTasks {
  readonly nsfw?: boolean;
  readonly objects?: boolean;
  readonly faces?: boolean;
}

/** One COCO object above OBJECT_MIN_SCORE. */
export interface DetectedObject {
  readonly label: string;
  readonly score: number;
}

/** What the models measured; a field is present only when its task ran. */
export interface ImageAnalysis {
  /** Porn + Hentai + Sexy from NSFWJS MobileNetV2, 0-1. */
  readonly nsfwScore?: number;
  /** Highest score per label, best first. */
  readonly objects?: readonly DetectedObject[];
  /** Faces the tiny face detector found at or above FACE_MIN_SCORE. */
  readonly faces?: number;
  /** Milliseconds spent in the worker (decode + models), for logs and the bench. */
  readonly workerMs: number;
}

/** Output encodings of super-resolution. */
export type UpscaleFormat = "png" | "jpeg" | "webp";

/** An enlarged image, encoded. */
export interface UpscaledImage {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** The worker protocol: one request, one reply with the same id. */
export type WorkerRequest =
  | { readonly id: number; readonly kind: "analyze"; readonly bytes: Uint8Array; readonly tasks: AnalysisTasks }
  | {
      readonly id: number;
      readonly kind: "upscale";
      readonly bytes: Uint8Array;
      readonly scale: 2 | 4;
      readonly format: UpscaleFormat;
      readonly quality?: number;
    };

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly analysis?: ImageAnalysis; readonly upscaled?: UpscaledImage }
  | { readonly id: number; readonly ok: false; readonly kind: "invalid_image" | "internal"; readonly message: string };
