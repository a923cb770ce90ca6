import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as oauth from "oauth4webapi";

/** The seven scopes seed 004 names (services/front/src/oauth/oauth-scopes.ts). */
export const ALL_SCOPES = [
  "images:generate",
  "images:read",
  "models:read",
  "gallery:read",
  "gallery:write",
  "webhooks:manage",
  "profile:read",
];

/** Our test issuer is plain http on loopback: oauth4webapi refuses that unless told. */
export const INSECURE = { [oauth.allowInsecureRequests]: true } as const;

/** Discovers the authorization server the way any RFC 8414 client does. */
export async function discover(baseUrl: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(baseUrl);
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...INSECURE }),
  );
}

export interface RegisteredApp {
  readonly client_id: string;
  readonly name: string;
  readonly redirect_uris: string[];
  readonly scopes: string[];
  readonly confidential: boolean;
  readonly created_at: string;
}

/** POST /api/v2/oauth/apps with an owner's API key; the status and the parsed answer. */
export async function registerApp(
  baseUrl: string,
  apiKey: string,
  body: { name: string; redirect_uris: string[]; scopes: string[]; confidential: boolean },
): Promise<{ status: number; json: { app: RegisteredApp; client_secret?: string } & Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/api/v2/oauth/apps`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

/** Creates an API key for `owner` through the admin API; returns its secret. */
export async function createOwnerKey(baseUrl: string, adminKey: string, owner: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v2/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ owner, name: `${owner}'s key`, tier: "pro" }),
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`creating a key for ${owner}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

/** A client-credentials access token for a confidential app, with the scopes asked for. */
export async function clientCredentialsToken(
  as: oauth.AuthorizationServer,
  clientId: string,
  secret: string,
  scope: string,
): Promise<string> {
  const client: oauth.Client = { client_id: clientId };
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    client,
    oauth.ClientSecretBasic(secret),
    { scope },
    INSECURE,
  );
  return (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
}

/** A loopback redirect target (RFC 8252) that records every request it gets. */
export async function startCallbackServer(): Promise<{ url: string; hits: URL[]; close(): Promise<void> }> {
  const hits: URL[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(new URL(req.url ?? "/", "http://127.0.0.1"));
    res.setHeader("content-type", "text/html");
    res.end("<!doctype html><title>callback</title><p>done</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A REST text-to-image call with a bearer credential: the status and the answer. */
export async function restTextToImage(
  baseUrl: string,
  bearer: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/api/v2/generate/text-to-image`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({
      prompt: "a lighthouse at dusk",
      model: "local",
      parameters: { width: 64, height: 64, num_outputs: 1, seed: 7 },
    }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
