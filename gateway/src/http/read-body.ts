import { apiError, ErrorReason } from "@imagegen/errors";
import { admissionOf } from "../admission/request-admission.ts";
import type { NodeRequest } from "./respond.ts";

/**
 * Reads a request body up to `limit` bytes, once the edge has admitted the request (its
 * credential checked, its bytes counted against the body budget). A larger body (declared or
 * streamed) is refused with PAYLOAD_TOO_LARGE naming the limit, without buffering the excess.
 */
export async function readBody(req: NodeRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  let account;
  try {
    account = await admissionOf(req);
  } catch (error) {
    // Refused before a byte was read: what the client still sends is discarded, never buffered,
    // so it finishes its upload and reads the answer instead of meeting a closed connection.
    req.resume();
    throw error;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (error: unknown): void => {
      // Stop buffering but keep reading (and discarding) so the connection can still answer.
      req.off("data", onData);
      req.resume();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        refuse(tooLarge(limit));
        return;
      }
      try {
        account?.reserve(size);
      } catch (error) {
        refuse(error);
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
