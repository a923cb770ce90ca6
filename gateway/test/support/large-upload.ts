import { request } from "node:http";

export interface UploadAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

/**
 * POSTs a body of `bytes` bytes (a repeated 1 MiB chunk after `prefix`, so the caller's memory
 * stays flat) with its Content-Length, and resolves with the answer even when the server answers
 * before the body is sent (as an edge that refuses early does): write errors after an answer are
 * the expected end of such an upload, not a failure.
 */
export function uploadLarge(
  url: string,
  headers: Record<string, string>,
  bytes: number,
  prefix = Buffer.alloc(0),
): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(bytes) } }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        // An answer before the whole body: this connection can carry nothing more.
        if (sent < bytes) req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on("error", reject);
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    let sent = 0;
    const writeMore = (): void => {
      if (sent === 0 && prefix.length > 0) {
        req.write(prefix);
        sent = prefix.length;
      }
      while (sent < bytes && !answered && !req.destroyed) {
        const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, bytes - sent));
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", writeMore);
      }
      if (sent >= bytes) req.end();
    };
    writeMore();
  });
}
