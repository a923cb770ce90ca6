import type { StyleOptions } from "@imagegen/proto/imagegen/v1/image_service_pb";

/**
 * The prompt a model receives: the caller's prompt with the style hints appended as plain
 * words, since no provider has separate style fields that mean the same thing.
 */
export function composePrompt(prompt: string, style: StyleOptions | undefined): string {
  if (!style) return prompt;
  const hints = [
    style.preset && `${style.preset.replaceAll("_", " ")} style`,
    style.artisticStyle && `${style.artisticStyle.replaceAll("_", " ")} art`,
    style.lighting && `${style.lighting.replaceAll("_", " ")} lighting`,
    style.cameraAngle && `${style.cameraAngle.replaceAll("_", " ")} shot`,
  ].filter(Boolean);
  return hints.length ? `${prompt}, ${hints.join(", ")}` : prompt;
}
