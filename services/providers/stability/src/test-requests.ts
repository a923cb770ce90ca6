/** Builders shared by this provider's unit tests (not shipped code paths). */
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describeError, type ErrorReason } from "@imagegen/errors";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { MultipartPart } from "./wire-types.ts";

/** A canonical request with defaults a test can override. */
export const stabilityRequest = (fields: MessageInitShape<typeof GenerateRequestSchema>) =>
  create(GenerateRequestSchema, {
    operation: Operation.TEXT_TO_IMAGE,
    prompt: "a lighthouse",
    numOutputs: 1,
    ...fields,
  });

/** A tiny input image (the translator never decodes it). */
export const inputImage = (format = Format.PNG) => ({ data: Buffer.from("img"), format, width: 64, height: 64 });

/** The text parts as a name → value record. */
export const textParts = (parts: readonly MultipartPart[]) =>
  Object.fromEntries(
    parts.filter((p): p is { name: string; value: string } => "value" in p).map((p) => [p.name, p.value]),
  );

/** The names of the file parts, in order. */
export const fileParts = (parts: readonly MultipartPart[]) => parts.filter((p) => "file" in p).map((p) => p.name);

/** The reason of whatever `run` throws (undefined if it does not). */
export function reasonOf(run: () => unknown): ErrorReason | undefined {
  try {
    run();
  } catch (error) {
    return describeError(error).row.reason;
  }
  return undefined;
}
