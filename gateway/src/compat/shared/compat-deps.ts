import type { Transport } from "@connectrpc/connect";

/** What every compat profile needs from the edge: the front, the image files, the body limit. */
export interface CompatDeps {
  readonly front: Transport;
  /** Where the front stores image files (the gateway serves them at signed URLs). */
  readonly imagesDir: string;
  readonly signingKey: Buffer;
  readonly maxBodyBytes: number;
}
