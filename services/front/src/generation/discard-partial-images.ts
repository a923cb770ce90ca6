import type { ImageStore } from "../images/image-store.ts";
import type { Store } from "../store/store.ts";

/**
 * Deletes what a generation that failed or was canceled had already stored: its image rows
 * (so they are neither listed nor counted as the owner's storage) and then its files. A failed
 * or canceled generation shows no images and costs nothing.
 */
export async function discardPartialImages(store: Store, images: ImageStore, generationId: string): Promise<void> {
  await store.deleteImages(generationId);
  await images.removeGeneration(generationId);
}
