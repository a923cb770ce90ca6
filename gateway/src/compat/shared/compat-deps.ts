import type { Transport } from "@connectrpc/connect";
import type { ImageBlobReader } from "../../http/image-blobs.ts";

/** What every compat profile needs from the edge: the front, the image files, the body limit. */
export interface CompatDeps {
  readonly front: Transport;
  /** Where the front stores image bytes (the gateway serves them at signed URLs). */
  readonly images: ImageBlobReader;
  readonly signingKey: Buffer;
  readonly maxBodyBytes: number;
}
