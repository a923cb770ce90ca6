import sharp from "sharp";

/** What mode "replace" lays the cut-out on: a colour (#rrggbb) or a picture's bytes. */
export type NewBackground = { readonly color: string } | { readonly image: Uint8Array };

/**
 * The cut-out (RGBA, its alpha the matte) laid on the new background, in the cut-out's size. Done
 * by the front, after whichever provider cut the subject out, so every route replaces alike. A
 * picture is scaled to cover the cut-out and centre-cropped to it.
 */
export async function layOnBackground(
  cutout: Uint8Array,
  background: NewBackground,
  format: "png" | "webp",
): Promise<Buffer> {
  if ("color" in background) return sharp(cutout).flatten({ background: background.color }).toFormat(format).toBuffer();
  const { width, height } = await sharp(cutout).metadata();
  return sharp(background.image)
    .rotate()
    .resize(width, height, { fit: "cover" })
    .composite([{ input: Buffer.from(cutout) }])
    .removeAlpha()
    .toFormat(format)
    .toBuffer();
}
