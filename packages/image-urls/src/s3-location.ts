import { S3Client } from "@aws-sdk/client-s3";

/** Where image bytes live in S3-compatible object storage, from IMAGEGEN_BLOB_URL. */
export interface S3Location {
  readonly bucket: string;
  /** Prepended to every stored path ("" or ending in "/"). */
  readonly prefix: string;
  readonly client: S3Client;
}

/**
 * Parses `s3://bucket[/prefix]?endpoint=https://host:port&region=us-east-1&path_style=true`
 * (endpoint optional: AWS itself; region default us-east-1; path_style for servers without
 * virtual-host buckets, e.g. Swift's s3api or MinIO). Credentials come from the SDK's standard
 * chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles), never the URL, so
 * the URL is safe to log. Shared by the front (writes) and the gateway (reads).
 */
export function s3LocationFromUrl(raw: string): S3Location {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("IMAGEGEN_BLOB_URL is not a URL (expected s3://bucket?endpoint=…)");
  }
  if (url.protocol !== "s3:" || !url.hostname)
    throw new Error("IMAGEGEN_BLOB_URL must be s3://bucket[/prefix][?endpoint=…&region=…&path_style=true]");
  if (url.username || url.password)
    throw new Error("IMAGEGEN_BLOB_URL must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  const prefix = url.pathname.replace(/^\/+|\/+$/g, "");
  const endpoint = url.searchParams.get("endpoint") ?? undefined;
  const client = new S3Client({
    region: url.searchParams.get("region") ?? "us-east-1",
    endpoint,
    forcePathStyle: url.searchParams.get("path_style") === "true",
    // Our own bound: a store that does not answer fails the request instead of holding it.
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 5_000 },
    maxAttempts: 2,
  });
  return { bucket: url.hostname, prefix: prefix ? `${prefix}/` : "", client };
}
