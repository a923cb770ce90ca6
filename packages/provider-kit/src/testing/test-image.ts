import sharp from "sharp";

/** A small real image in `format`, as a vendor would deliver it. */
export function testImage(format: "png" | "jpeg" | "webp" = "png", width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .toFormat(format)
    .toBuffer();
}
