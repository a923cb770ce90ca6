/**
 * The documented cut-offs of the offline models (README, "Offline image models").
 * Each is a model's own confidence, 0-1; results below it are not reported.
 */

/** COCO labels from CenterNet are reported at or above this score (close-ups score 0.45-0.6). */
export const OBJECT_MIN_SCORE = 0.4;

/** A face counts when the tiny face detector scores it at or above this (its recommended default). */
export const FACE_MIN_SCORE = 0.5;

/**
 * A result is withheld for a caller with `nsfw_filter` on when Porn + Hentai + Sexy reaches this.
 * Benign photos score under 0.07 (README); 0.7 keeps a wide margin against false positives.
 */
export const DEFAULT_NSFW_THRESHOLD = 0.7;

/** Images are analysed at most this many pixels on their longer side (the models work at 224-512). */
export const ANALYSIS_MAX_SIDE = 1024;

/** Super-resolution input bound: 512² took 15 s at ×2 and 23 s at ×4 on a busy core, so 1024² about 1-1.5 min. */
export const SR_MAX_INPUT_PIXELS = 1024 * 1024;

/** Input pixels per side of one super-resolution tile, and the context added around it. */
export const SR_TILE = 96;
export const SR_TILE_PADDING = 8;
