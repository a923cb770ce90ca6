import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** The format of encoded image bytes from their magic numbers; UNSPECIFIED when not an image we keep. */
export function sniffFormat(data: Uint8Array): Format {
  if (data.length >= 8 && data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47)
    return Format.PNG;
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return Format.JPEG;
  if (data.length >= 12 && ascii(data, 0, 4) === "RIFF" && ascii(data, 8, 12) === "WEBP") return Format.WEBP;
  return Format.UNSPECIFIED;
}

/** Decodes a `data:` URI's payload (base64 or percent-encoded); undefined when `uri` is not one. */
export function decodeDataUri(uri: string): Buffer | undefined {
  const match = /^data:([^,]*?),(.*)$/s.exec(uri);
  if (!match) return undefined;
  const [, meta = "", payload = ""] = match;
  return meta.endsWith(";base64") ? Buffer.from(payload, "base64") : Buffer.from(decodeURIComponent(payload), "latin1");
}

function ascii(data: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...data.subarray(from, to));
}
