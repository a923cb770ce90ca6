import { apiError, ErrorReason } from "@imagegen/errors";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Why `uri` cannot be a redirect URI, or undefined when it can: an absolute https URL, or a
 * loopback http URL with a port (RFC 8252 §7.3: native apps listen on a port of their choosing),
 * never with a fragment (RFC 6749 §3.1.2) or credentials.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "must be an absolute URL";
  }
  if (url.hash !== "" || uri.includes("#")) return "must not contain a fragment";
  if (url.username !== "" || url.password !== "") return "must not contain credentials";
  // A loopback listener is reached over http (RFC 8252 §7.3); an https loopback URI is refused so
  // that a native app's URIs are all of one kind oidc-provider accepts.
  if (url.protocol === "https:")
    return LOOPBACK_HOSTS.has(url.hostname)
      ? "a loopback redirect URI must use http (http://127.0.0.1:<port>/…)"
      : undefined;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) {
    return url.port === "" ? "a loopback http redirect URI must name a port (http://127.0.0.1:<port>/…)" : undefined;
  }
  return "must be an https URL, or a loopback http://127.0.0.1:<port>/… or http://localhost:<port>/… URL";
}

/** INVALID_REQUEST naming `redirect_uris[i]` for the first URI that cannot be one. */
export function checkRedirectUris(uris: readonly string[]): void {
  uris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) {
      throw apiError(ErrorReason.INVALID_REQUEST, `redirect_uris[${index}] ${problem}`, {
        fieldViolations: [{ field: `redirect_uris[${index}]`, description: problem }],
      });
    }
  });
}
