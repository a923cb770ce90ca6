import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { Logger } from "@imagegen/server-kit";
import type { KeyResolver } from "../auth/store-key-verifier.ts";
import { accountIdOf } from "./authorization-server.ts";
import { consentPageHtml, errorPageHtml } from "./consent-page.ts";
import type { OAuthStore } from "./oauth-store.ts";

/** The most a consent form may weigh: an API key and a button. */
const MAX_FORM_BYTES = 16 * 1024;

export interface ConsentDeps {
  readonly provider: Provider;
  readonly store: OAuthStore;
  readonly resolveApiKey: KeyResolver;
  readonly logger: Logger;
}

/**
 * GET and POST /oauth/consent/<uid>: the interaction oidc-provider hands over when a user must
 * approve an app. The user proves who they are with one of their API keys; Allow records a grant
 * of the scopes asked for, acting as that key, and Deny answers access_denied. oidc-provider then
 * redirects back to the app (`?code=…&state=…` or `?error=access_denied&state=…`).
 */
export async function handleConsent(req: IncomingMessage, res: ServerResponse, deps: ConsentDeps): Promise<void> {
  try {
    const details = await deps.provider.interactionDetails(req, res);
    const clientId = String(details.params.client_id);
    const app = await deps.store.findApp(clientId);
    const scopes = String(details.params.scope ?? "")
      .split(" ")
      .filter(Boolean);
    const view = { uid: details.uid, appName: app?.name ?? clientId, scopes };
    if (req.method === "GET" || req.method === "HEAD") return sendHtml(res, 200, consentPageHtml(view));
    if (req.method !== "POST") return sendHtml(res, 405, errorPageHtml("invalid_request", "use GET or POST"));
    const form = new URLSearchParams(await readForm(req));
    const decision = form.get("decision");
    if (decision === "deny") {
      await deps.provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "the user denied the request" },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (decision !== "allow")
      return sendHtml(res, 400, consentPageHtml({ ...view, problem: 'choose "Allow" or "Deny"' }));
    const principal = await deps.resolveApiKey(form.get("api_key") ?? "");
    if (!principal)
      return sendHtml(
        res,
        401,
        consentPageHtml({ ...view, problem: "That API key is not valid. Enter one of your API keys." }),
      );
    const accountId = accountIdOf(principal);
    await forgetOtherLogin(deps.provider, details.uid, details.session, accountId);
    const grant = new deps.provider.Grant({ accountId, clientId });
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(" "));
    const grantId = await grant.save();
    await deps.provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  } catch (error) {
    // An unknown or expired interaction (no cookie, a stale uid) or an oversized form.
    const name = error instanceof Error ? error.name : "Error";
    if (name !== "SessionNotFound" && name !== "FormTooLarge") deps.logger.warn("consent failed", { error: name });
    if (!res.headersSent) {
      sendHtml(
        res,
        name === "FormTooLarge" ? 413 : 400,
        errorPageHtml(
          "invalid_request",
          "this authorization request is unknown or has expired; start again from the application",
        ),
      );
    }
  }
}

/**
 * The key typed on this page decides who approves, whatever this browser approved as before.
 * oidc-provider would instead ask to log the earlier account out first (an end-session page we
 * do not serve), so the browser's session — and this interaction's copy of it — forget the
 * earlier login, and this one takes its place when the interaction finishes.
 */
async function forgetOtherLogin(
  provider: Provider,
  uid: string,
  current: { accountId: string; cookie: string } | undefined,
  accountId: string,
): Promise<void> {
  if (!current || current.accountId === accountId) return;
  const now = Math.floor(Date.now() / 1000);
  const [session, interaction] = await Promise.all([
    provider.Session.find(current.cookie),
    provider.Interaction.find(uid),
  ]);
  if (session) {
    session.accountId = undefined;
    await session.save(Math.max(1, session.exp - now));
  }
  if (interaction?.session) {
    interaction.session.accountId = undefined as unknown as string;
    await interaction.save(Math.max(1, interaction.exp - now));
  }
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-frame-options", "DENY");
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) {
      const error = new Error("consent form too large");
      error.name = "FormTooLarge";
      throw error;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
