/**
 * Multipart bodies for vendors that take files (OpenAI edits/variations, Stability): translators
 * describe the parts as data (pure, testable), and `toFormData` builds the body (the runtime
 * sets the boundary). It is undici's FormData: the kit's HTTP client sends bodies with the undici
 * package, which refuses the FormData built into Node.
 */
import { FormData } from "undici";

/** One part of a multipart/form-data body: a text field or a file. */
export type MultipartPart =
  | { readonly name: string; readonly value: string }
  | {
      readonly name: string;
      readonly file: { readonly data: Uint8Array; readonly filename: string; readonly contentType: string };
    };

/** Builds the FormData for `parts`, files as Blobs with their filename and type. */
export function toFormData(parts: readonly MultipartPart[]): FormData {
  const form = new FormData();
  for (const part of parts) {
    if ("value" in part) form.append(part.name, part.value);
    else
      form.append(
        part.name,
        new Blob([new Uint8Array(part.file.data)], { type: part.file.contentType }),
        part.file.filename,
      );
  }
  return form;
}
