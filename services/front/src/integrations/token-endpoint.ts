import { retryAfterMs, send, ServiceCallError, type TokenSet } from "./storage-service.ts";

/** The operator's app credentials at a service's OAuth 2.0 token endpoint. */
export interface TokenEndpoint {
  readonly service: string;
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * One RFC 6749 token request (code exchange or refresh) with the client credentials in the form, as both
 * Dropbox and Google accept them. 429/5xx are worth retrying (with the service's Retry-After);
 * `invalid_grant` is `onInvalidGrant` (a refused refresh token means the user must connect again);
 * anything else is refused. The error text never carries the form (it holds codes and tokens).
 */
export async function requestTokens(
  endpoint: TokenEndpoint,
  form: URLSearchParams,
  onInvalidGrant: "refused" | "reauth",
): Promise<Record<string, unknown>> {
  form.set("client_id", endpoint.clientId);
  form.set("client_secret", endpoint.clientSecret);
  const res = await send(endpoint.service, endpoint.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.ok && typeof body.access_token === "string") return body;
  if (res.status === 429 || res.status >= 500)
    throw new ServiceCallError(
      "retry",
      `${endpoint.service}'s token endpoint answered ${res.status}`,
      retryAfterMs(res.headers.get("retry-after")),
    );
  const error = String(body.error ?? `status ${res.status}`);
  const described = body.error_description ? `${error}: ${String(body.error_description)}` : error;
  throw new ServiceCallError(
    error === "invalid_grant" ? onInvalidGrant : "refused",
    `${endpoint.service} refused the token request (${described.slice(0, 200)})`,
  );
}

/** The tokens of a token endpoint's answer; `expiresAt` 0 when the service gave no lifetime. */
export function toTokens(body: Record<string, unknown>, refreshToken: string): TokenSet {
  const expiresIn = Number(body.expires_in ?? 0);
  return {
    accessToken: String(body.access_token),
    refreshToken,
    expiresAt: expiresIn > 0 ? Date.now() + expiresIn * 1000 : 0,
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
