/** Turns the translator's multipart parts into a FormData body (the runtime sets the boundary). */
import type { MultipartPart } from "./wire-types.ts";

/** Builds the FormData for `parts`, files as Blobs with their filename and type. */
export function toFormData(parts: readonly MultipartPart[]): FormData {
  const form = new FormData();
  for (const part of parts) {
    if ("value" in part) form.append(part.name, part.value);
    else form.append(part.name, new Blob([new Uint8Array(part.file.data)], { type: part.file.contentType }), part.file.filename);
  }
  return form;
}
