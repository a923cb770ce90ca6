import type { Cutout, RemoveBackgroundOptions } from "./remove-background.ts";

/** The matting worker protocol: one request, one reply with the same id. */
export interface MattingRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly options: RemoveBackgroundOptions;
}

export type MattingReply =
  | { readonly id: number; readonly ok: true; readonly cutout: Cutout; readonly workerMs: number }
  | {
      readonly id: number;
      readonly ok: false;
      readonly kind: "invalid_image" | "not_installed" | "internal";
      readonly message: string;
    };
