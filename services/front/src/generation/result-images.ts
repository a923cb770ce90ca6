import type { OutputImage } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { ImageStore } from "../images/image-store.ts";
import type { GenerationRecord, ImageRecord, Store } from "../store/store.ts";
import { newId } from "./ids.ts";
import { probeOutput } from "./probe-output.ts";

/**
 * Copies one result image into our own store (provider URLs expire) and returns its record,
 * not yet written (the caller records it, alone or with the generation's completion). Its
 * dimensions and format come from the bytes, never from what the provider claims.
 */
export async function storeResultFile(
  deps: { readonly store: Store; readonly images: ImageStore },
  record: GenerationRecord,
  output: OutputImage,
  index: number,
  /** Its NSFW score, when one was measured (absent, never invented, otherwise). */
  nsfwScore?: number,
): Promise<ImageRecord> {
  const probed = probeOutput(output.data, record.provider);
  const id = newId("img");
  const path = await deps.images.put(record.id, id, probed.format, output.data);
  const image: ImageRecord = {
    id,
    generationId: record.id,
    owner: record.owner,
    index,
    path,
    width: probed.width,
    height: probed.height,
    sizeBytes: output.data.length,
    format: probed.format,
    seed: output.seed,
    nsfwScore,
  };
  return image;
}
