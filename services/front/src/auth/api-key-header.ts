/**
 * The API key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>` (seed 004 lists
 * both). Returns undefined when neither is present or the header is malformed.
 */
export function apiKeyFrom(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1];
  }
  const key = headers.get("x-api-key")?.trim();
  return key || undefined;
}
