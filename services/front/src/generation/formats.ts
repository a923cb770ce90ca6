import { ImageFormat } from "@imagegen/proto/imagegen/v1/types_pb";
import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** Public format → provider contract format (JPG is "jpeg" on the wire to providers). */
export function toProviderFormat(format: ImageFormat): Format {
  switch (format) {
    case ImageFormat.JPG:
      return Format.JPEG;
    case ImageFormat.WEBP:
      return Format.WEBP;
    default:
      return Format.PNG;
  }
}

/** Provider format → the stored file extension and public format name. */
export function extensionOf(format: Format): "png" | "jpg" | "webp" {
  return format === Format.JPEG ? "jpg" : format === Format.WEBP ? "webp" : "png";
}

export function publicFormatOf(extension: string): ImageFormat {
  return extension === "jpg" ? ImageFormat.JPG : extension === "webp" ? ImageFormat.WEBP : ImageFormat.PNG;
}
