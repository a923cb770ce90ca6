import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import * as oauth from "oauth4webapi";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";
import {
  ALL_SCOPES,
  INSECURE,
  clientCredentialsToken,
  createOwnerKey,
  discover,
  registerApp,
  restTextToImage,
  startCallbackServer,
} from "./support/oauth-fixtures.ts";

// Issue 16's "done when", end to end through the real processes, with a standard OAuth client
// library (oauth4webapi) and the consent page in Debian's headless Chromium.
const CHROMIUM = "/usr/bin/chromium";

let system: RunningSystem;
let browser: BrowserContext;
let profileDir: string;
let callback: Awaited<ReturnType<typeof startCallbackServer>>;
let as: oauth.AuthorizationServer;
let aliceKey: string;

beforeAll(async () => {
  system = await startSystem({ IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S: "600" });
  callback = await startCallbackServer();
  aliceKey = await createOwnerKey(system.baseUrl, system.adminKey, "alice");
  profileDir = mkdtempSync(join(tmpdir(), "imagegen-chromium-"));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await callback?.close();
  await system?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/** Opens the authorization endpoint in Chromium with a fresh PKCE pair and state. */
async function authorize(clientId: string, options: { scope?: string; redirectUri?: string; pkce?: boolean } = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", options.redirectUri ?? callback.url);
  url.searchParams.set("scope", options.scope ?? "images:generate images:read");
  url.searchParams.set("state", state);
  if (options.pkce !== false) {
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set("code_challenge_method", "S256");
  }
  const page = await browser.newPage();
  const response = await page.goto(url.href);
  return { page, response, verifier, state };
}

/** Where the browser ended up after submitting the consent form. */
async function submitConsent(page: Page, key: string, button: "Allow" | "Deny"): Promise<URL> {
  await page.fill('input[type="password"]', key);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(callback.url), { timeout: 15_000 }),
    page.click(`button:has-text("${button}")`),
  ]).catch(async (e) => {
    throw new Error(`${String(e)} at ${page.url()}: ${(await page.content()).slice(0, 600)}`);
  });
  return new URL(page.url());
}

describe("OAuth 2.0 with a standard client (oauth4webapi) through the gateway", () => {
  let publicApp: { client_id: string };
  let tokens: oauth.TokenEndpointResponse;

  it("discovers the server at /.well-known/oauth-authorization-server (RFC 8414) with issuer = IMAGEGEN_PUBLIC_URL", async () => {
    as = await discover(system.baseUrl);
    expect(as.issuer).toBe(system.baseUrl);
    for (const endpoint of [
      as.authorization_endpoint,
      as.token_endpoint,
      as.revocation_endpoint,
      as.introspection_endpoint,
      as.jwks_uri,
    ]) {
      expect(endpoint?.startsWith(`${system.baseUrl}/oauth/`)).toBe(true);
    }
    // Every endpoint it names is one the gateway forwards; no DPoP (tokens are plain bearer tokens).
    for (const [name, value] of Object.entries(as)) {
      if (name.endsWith("_endpoint") || name === "jwks_uri")
        expect(value, name).toMatch(new RegExp(`^${system.baseUrl}/oauth/`));
    }
    expect(as.dpop_signing_alg_values_supported).toBeUndefined();
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.response_types_supported).toEqual(["code"]);
    expect(as.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "refresh_token", "client_credentials"]),
    );
    expect(as.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post", "none"]);
    expect(as.scopes_supported).toEqual(ALL_SCOPES);
  });

  it("registers a public app for an owner (201, the issue's shape, no secret) and hides it from other owners", async () => {
    const { status, json } = await registerApp(system.baseUrl, aliceKey, {
      name: "Alice's Sketchbook",
      // Registered on one loopback port; RFC 8252 lets the app come back on any port.
      redirect_uris: ["http://127.0.0.1:1/callback"],
      scopes: ["images:generate", "images:read", "models:read"],
      confidential: false,
    });
    expect(status).toBe(201);
    expect(Object.keys(json)).toEqual(["app"]);
    expect(Object.keys(json.app).sort()).toEqual([
      "client_id",
      "confidential",
      "created_at",
      "name",
      "redirect_uris",
      "scopes",
    ]);
    expect(json.app).toMatchObject({
      name: "Alice's Sketchbook",
      confidential: false,
      scopes: ["images:generate", "images:read", "models:read"],
    });
    publicApp = json.app;
    const list = await fetch(`${system.baseUrl}/api/v2/oauth/apps`, {
      headers: { authorization: `Bearer ${aliceKey}` },
    });
    expect(((await list.json()) as { apps: unknown[] }).apps).toEqual([json.app]);
    const got = await fetch(`${system.baseUrl}/api/v2/oauth/apps/${publicApp.client_id}`, {
      headers: { authorization: `Bearer ${aliceKey}` },
    });
    expect(await got.json()).toEqual({ app: json.app });
    const foreign = await fetch(`${system.baseUrl}/api/v2/oauth/apps/${publicApp.client_id}`, {
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    expect(foreign.status).toBe(404);
  });

  it("refuses an unknown scope and a non-loopback http redirect URI with 400 INVALID_REQUEST naming the field", async () => {
    const badScope = await registerApp(system.baseUrl, aliceKey, {
      name: "x",
      redirect_uris: ["https://app.example/cb"],
      scopes: ["images:delete"],
      confidential: false,
    });
    expect(badScope.status).toBe(400);
    expect((badScope.json.error as { code: string; message: string }).code).toBe("INVALID_REQUEST");
    expect((badScope.json.error as { message: string }).message).toContain("scopes");
    const badUri = await registerApp(system.baseUrl, aliceKey, {
      name: "x",
      redirect_uris: ["http://app.example/cb"],
      scopes: ["models:read"],
      confidential: false,
    });
    expect(badUri.status).toBe(400);
    expect((badUri.json.error as { code: string; message: string }).code).toBe("INVALID_REQUEST");
    expect((badUri.json.error as { message: string }).message).toContain("redirect_uris[0]");
  });

  it("runs authorization code + PKCE through the consent page in Chromium (Allow), then redeems the code", async () => {
    const { page, response, verifier, state } = await authorize(publicApp.client_id);
    expect(response?.status()).toBe(200);
    expect(page.url()).toContain(`${system.baseUrl}/oauth/consent/`);
    await expect(page.locator("h1").textContent()).resolves.toContain("Alice's Sketchbook");
    const body = await page.locator("body").textContent();
    expect(body).toContain("Generate and process images");
    expect(body).toContain("See your generations and their images");
    expect(body).not.toContain("See the model catalog"); // not asked for
    expect(await page.locator('input[type="password"]').count()).toBe(1);
    // A wrong key is refused on the page itself (401), nothing reaches the app.
    await page.fill('input[type="password"]', "not-a-key");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.click('button:has-text("Allow")'),
    ]);
    expect(refused.status()).toBe(401);
    await expect(page.locator(".problem").textContent()).resolves.toContain("not valid");
    const landed = await submitConsent(page, aliceKey, "Allow");
    await page.close();
    expect(landed.searchParams.get("state")).toBe(state);
    const params = oauth.validateAuthResponse(as, { client_id: publicApp.client_id }, landed, state);
    const redeemed = await oauth.authorizationCodeGrantRequest(
      as,
      { client_id: publicApp.client_id },
      oauth.None(),
      params,
      callback.url,
      verifier,
      INSECURE,
    );
    tokens = await oauth.processAuthorizationCodeResponse(as, { client_id: publicApp.client_id }, redeemed);
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.expires_in).toBe(600);
    expect(tokens.scope?.split(" ").sort()).toEqual(["images:generate", "images:read"]);
  });

  it("calls text-to-image over REST and gRPC with the access token, as the consenting owner", async () => {
    const rest = await restTextToImage(system.baseUrl, tokens.access_token);
    expect(rest.status).toBe(200);
    const id = String(rest.json.id);
    // The generation is alice's: her key sees it, another owner's does not.
    expect(
      (await fetch(`${system.baseUrl}/api/v2/generations/${id}`, { headers: { authorization: `Bearer ${aliceKey}` } }))
        .status,
    ).toBe(200);
    expect(
      (
        await fetch(`${system.baseUrl}/api/v2/generations/${id}`, {
          headers: { authorization: `Bearer ${system.adminKey}` },
        })
      ).status,
    ).toBe(404);
    // Usage records which app acted (the front's SQLite file under the data dir).
    const db = new DatabaseSync(join(system.dataDir, "imagegen.sqlite"), { readOnly: true });
    const row = db.prepare("SELECT owner, oauth_client_id FROM generations WHERE id = ?").get(id);
    db.close();
    expect(row).toEqual({ owner: "alice", oauth_client_id: publicApp.client_id });
    const grpc = createClient(ImageService, createGrpcTransport({ baseUrl: system.baseUrl }));
    const generation = await grpc.textToImage(
      { prompt: "a lighthouse", model: "local", parameters: { width: 64, height: 64, numOutputs: 1 } },
      { headers: { authorization: `Bearer ${tokens.access_token}` } },
    );
    expect(generation.images.length).toBe(1);
  });

  it("rotates refresh tokens; a reused one is invalid_grant and revokes its whole family", async () => {
    const client = { client_id: publicApp.client_id };
    const first = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, INSECURE),
    );
    expect(first.refresh_token).toBeTruthy();
    expect(first.refresh_token).not.toBe(tokens.refresh_token);
    expect((await restTextToImage(system.baseUrl, first.access_token)).status).toBe(200);
    const reuse = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, INSECURE);
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe("invalid_grant");
    // The family is gone: the newer refresh token and its access token with it.
    const newer = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), first.refresh_token!, INSECURE);
    expect(((await newer.json()) as { error: string }).error).toBe("invalid_grant");
    expect((await restTextToImage(system.baseUrl, first.access_token)).status).toBe(401);
  });

  it("takes a code once: a second redemption is invalid_grant and revokes what the first one issued", async () => {
    const client = { client_id: publicApp.client_id };
    const { page, verifier, state } = await authorize(publicApp.client_id);
    const params = oauth.validateAuthResponse(as, client, await submitConsent(page, aliceKey, "Allow"), state);
    await page.close();
    const first = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, callback.url, verifier, INSECURE),
    );
    expect((await restTextToImage(system.baseUrl, first.access_token)).status).toBe(200);
    const again = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      callback.url,
      verifier,
      INSECURE,
    );
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
    expect((await restTextToImage(system.baseUrl, first.access_token)).status).toBe(401);
  });

  it("Deny sends the browser back with error=access_denied and the state", async () => {
    const { page, state } = await authorize(publicApp.client_id);
    const landed = await submitConsent(page, aliceKey, "Deny");
    await page.close();
    expect(landed.searchParams.get("error")).toBe("access_denied");
    expect(landed.searchParams.get("state")).toBe(state);
    expect(landed.searchParams.get("code")).toBeNull();
  });

  it("answers an unregistered redirect URI with an error page, never a redirect", async () => {
    const { page, response } = await authorize(publicApp.client_id, { redirectUri: "https://attacker.example/cb" });
    expect(response?.status()).toBe(400);
    expect(page.url().startsWith(system.baseUrl)).toBe(true);
    expect(await page.locator("h1").textContent()).toBe("Authorization failed");
    await page.close();
  });

  it("refuses a public client that sends no code_challenge", async () => {
    const before = callback.hits.length;
    const { page } = await authorize(publicApp.client_id, { pkce: false });
    await page.close();
    // The browser may also ask the callback origin for /favicon.ico.
    const landed = callback.hits.slice(before).find((hit) => hit.pathname === "/callback");
    expect(landed?.searchParams.get("error")).toBe("invalid_request");
    expect(landed?.searchParams.get("error_description")).toContain("PKCE");
  });

  it("issues client-credentials tokens to a confidential app, introspects them for it only, and revokes them at once", async () => {
    const registered = await registerApp(system.baseUrl, system.adminKey, {
      name: "Batch renderer",
      redirect_uris: ["https://batch.example/cb"],
      scopes: ["images:generate", "images:read"],
      confidential: true,
    });
    expect(registered.status).toBe(201);
    const secret = registered.json.client_secret!;
    expect(secret).toMatch(/^igs_/);
    const clientId = registered.json.app.client_id;
    const client = { client_id: clientId };
    const token = await clientCredentialsToken(as, clientId, secret, "images:generate");
    expect((await restTextToImage(system.baseUrl, token)).status).toBe(200);

    const wrong = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic("igs_wrong"),
      { scope: "images:generate" },
      INSECURE,
    );
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_client");

    const introspected = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(secret), token, INSECURE),
    );
    expect(introspected).toMatchObject({ active: true, client_id: clientId, scope: "images:generate" });
    // Another client learns nothing about it.
    const other = await registerApp(system.baseUrl, system.adminKey, {
      name: "Other",
      redirect_uris: ["https://other.example/cb"],
      scopes: ["models:read"],
      confidential: true,
    });
    const otherClient = { client_id: other.json.app.client_id };
    const foreign = await oauth.processIntrospectionResponse(
      as,
      otherClient,
      await oauth.introspectionRequest(
        as,
        otherClient,
        oauth.ClientSecretBasic(other.json.client_secret!),
        token,
        INSECURE,
      ),
    );
    expect(foreign.active).toBe(false);

    const revoked = await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(secret), token, INSECURE);
    await oauth.processRevocationResponse(revoked);
    expect((await restTextToImage(system.baseUrl, token)).status).toBe(401);
    const grpc = createClient(ImageService, createGrpcTransport({ baseUrl: system.baseUrl }));
    const error = await grpc
      .listGenerations({}, { headers: { authorization: `Bearer ${token}` } })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unauthenticated);
  });

  it("deleting an app revokes every token it holds at once (204)", async () => {
    const registered = await registerApp(system.baseUrl, system.adminKey, {
      name: "Short-lived",
      redirect_uris: ["https://short.example/cb"],
      scopes: ["images:generate"],
      confidential: true,
    });
    const token = await clientCredentialsToken(
      as,
      registered.json.app.client_id,
      registered.json.client_secret!,
      "images:generate",
    );
    expect((await restTextToImage(system.baseUrl, token)).status).toBe(200);
    const deleted = await fetch(`${system.baseUrl}/api/v2/oauth/apps/${registered.json.app.client_id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    expect(deleted.status).toBe(204);
    expect((await restTextToImage(system.baseUrl, token)).status).toBe(401);
  });

  it("revoking the API key a user approved with ends its access tokens and its refresh token", async () => {
    const daveKey = await createOwnerKey(system.baseUrl, system.adminKey, "dave");
    const client = { client_id: publicApp.client_id };
    const { page, verifier, state } = await authorize(publicApp.client_id);
    const params = oauth.validateAuthResponse(as, client, await submitConsent(page, daveKey, "Allow"), state);
    await page.close();
    const daves = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, callback.url, verifier, INSECURE),
    );
    expect((await restTextToImage(system.baseUrl, daves.access_token)).status).toBe(200);
    const listed = (await (
      await fetch(`${system.baseUrl}/api/v2/admin/keys?owner=dave`, {
        headers: { authorization: `Bearer ${system.adminKey}` },
      })
    ).json()) as { keys: Array<{ id: string }> };
    const revoked = await fetch(`${system.baseUrl}/api/v2/admin/keys/${listed.keys[0]!.id}:revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(revoked.status).toBe(200);
    expect((await restTextToImage(system.baseUrl, daves.access_token)).status).toBe(401);
    const refresh = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), daves.refresh_token!, INSECURE);
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("never writes a token, code or client secret to the logs", () => {
    const logs = system.output();
    for (const secret of [tokens.access_token, tokens.refresh_token!]) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/igs_[A-Za-z0-9_-]{20,}/);
  });
});
