import { apiError, ErrorReason } from "@imagegen/errors";
import type { NodeRequest } from "./respond.ts";

/**
 * Reads a request body up to `limit` bytes. A larger body (declared or streamed) is refused
 * with PAYLOAD_TOO_LARGE naming the limit, without buffering the excess.
 */
export function readBody(req: NodeRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering but keep reading (and discarding) so the connection can still answer.
        req.off("data", onData);
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

function tooLarge(limit: number) {
  return apiError(ErrorReason.PAYLOAD_TOO_LARGE, `request body exceeds the ${limit}-byte limit`, {
    metadata: { limit_bytes: String(limit) },
  });
}
