import { apiError, describeError, ErrorReason } from "@imagegen/errors";
import { badResponse } from "./upstream-errors.ts";
import { decodeDataUri, sniffFormat } from "./image-bytes.ts";
import type { HttpClient } from "./http-client.ts";
import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** Default cap on one downloaded result image. */
export const MAX_IMAGE_BYTES = 40 * 1024 * 1024;

/**
 * Fetches a result the vendor handed back — an expiring https URL or a `data:` URI — into bytes,
 * at once (Replicate's URLs live ~1 h, BFL's 10 min). No auth header travels to the delivery host.
 * Anything that is not a PNG, JPEG or WebP is UPSTREAM_BAD_RESPONSE.
 */
export async function downloadImage(
  http: HttpClient,
  provider: string,
  location: string,
  maxBytes = MAX_IMAGE_BYTES,
): Promise<Buffer> {
  let data = decodeDataUri(location);
  if (!data) {
    if (!/^https?:\/\//i.test(location)) throw badResponse(provider, "a result that is neither a URL nor a data URI");
    try {
      const response = await http.request({
        method: "GET",
        url: location,
        auth: false,
        maxBytes,
        operation: "download",
      });
      data = response.body;
    } catch (error) {
      throw downloadFailed(provider, error);
    }
  }
  if (data.length > maxBytes) throw badResponse(provider, `an image larger than ${maxBytes} bytes`);
  if (data.length === 0) throw badResponse(provider, "an empty image");
  if (sniffFormat(data) === Format.UNSPECIFIED)
    throw badResponse(provider, "a result that is not a PNG, JPEG or WebP image");
  return data;
}

// A result URL that expired or vanished is the vendor's bad answer, not the caller's request.
function downloadFailed(provider: string, error: unknown): unknown {
  const reason = describeError(error).row.name;
  if (reason === "TIMEOUT" || reason === "CANCELED" || reason === "UPSTREAM_BAD_RESPONSE") return error;
  return apiError(
    ErrorReason.UPSTREAM_BAD_RESPONSE,
    `provider ${provider} returned a result URL that could not be downloaded`,
    {
      metadata: { provider },
    },
  );
}
