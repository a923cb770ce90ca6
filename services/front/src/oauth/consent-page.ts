import { OAUTH_SCOPES } from "./oauth-scopes.ts";

/** What the consent page shows: never a code, token or key. */
export interface ConsentView {
  readonly uid: string;
  readonly appName: string;
  readonly scopes: readonly string[];
  /** A message after a refused key ("that API key is not valid"), shown above the form. */
  readonly problem?: string;
}

/**
 * The authorization endpoint's page, styled like /docs: the app, the scopes in plain words, an
 * API-key field (the user proves who they are with one of their keys) and Allow / Deny. The
 * form posts back to /oauth/consent/<uid>, the same origin, bound to the interaction cookie.
 */
export function consentPageHtml(view: ConsentView): string {
  const scopes = view.scopes
    .map(
      (s) =>
        `<li><code>${escapeHtml(s)}</code> — ${escapeHtml(OAUTH_SCOPES[s as keyof typeof OAUTH_SCOPES] ?? s)}</li>`,
    )
    .join("\n");
  const problem = view.problem ? `<p class="problem" role="alert">${escapeHtml(view.problem)}</p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize ${escapeHtml(view.appName)} · imagegen</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem; }
  .problem { background: #fee2e2; padding: .5rem .8rem; }
  label { display: block; margin: 1rem 0 .3rem; }
  input[type=password] { width: 100%; padding: .4rem; font: inherit; }
  button { font: inherit; padding: .4rem 1.2rem; margin: 1rem .6rem 0 0; }
</style></head>
<body>
<p><a href="/docs">API reference</a> · <a href="/docs/guides/authorizing-applications">Authorizing applications</a></p>
<h1>Authorize ${escapeHtml(view.appName)}</h1>
<p><strong>${escapeHtml(view.appName)}</strong> asks to act for you on imagegen. It will be able to:</p>
<ul>
${scopes}
</ul>
${problem}
<form method="post" action="/oauth/consent/${encodeURIComponent(view.uid)}">
  <label for="api_key">Prove it is you with one of your API keys (it is not shared with the application)</label>
  <input id="api_key" name="api_key" type="password" autocomplete="off">
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>
`;
}

/** The page for a request that cannot go back to the application (unknown client, bad redirect URI). */
export function errorPageHtml(error: string, description: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization failed · imagegen</title>
<style>body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem; }</style></head>
<body>
<p><a href="/docs">API reference</a> · <a href="/docs/guides/authorizing-applications">Authorizing applications</a></p>
<h1>Authorization failed</h1>
<p><code>${escapeHtml(error)}</code>: ${escapeHtml(description)}</p>
</body></html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}
