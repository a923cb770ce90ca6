import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { AdminService } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { OAuthAppService } from "@imagegen/proto/imagegen/v1/oauth_app_service_pb";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";
import {
  INSECURE,
  clientCredentialsToken,
  createOwnerKey,
  discover,
  registerApp,
  restTextToImage,
} from "./support/oauth-fixtures.ts";

// Issue 16: a token reaches only what its scopes cover, on every surface, and acts only as its owner.
let system: RunningSystem;
let as: oauth.AuthorizationServer;
/** The admin owner's app, a token of it with models:read only, and one with images:generate. */
let modelsOnly: string;
let generateOnly: string;
let app: { clientId: string; secret: string };

beforeAll(async () => {
  system = await startSystem();
  as = await discover(system.baseUrl);
  const registered = await registerApp(system.baseUrl, system.adminKey, {
    name: "Scoped",
    redirect_uris: ["https://scoped.example/cb"],
    scopes: ["models:read", "images:generate"],
    confidential: true,
  });
  app = { clientId: registered.json.app.client_id, secret: registered.json.client_secret! };
  modelsOnly = await clientCredentialsToken(as, app.clientId, app.secret, "models:read");
  generateOnly = await clientCredentialsToken(as, app.clientId, app.secret, "images:generate");
}, 120_000);

afterAll(() => system?.stop());

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function rpcError(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error("the call succeeded");
  return error;
}

describe("scopes on every surface", () => {
  it("REST: 403 FORBIDDEN with details.required_scope naming exactly the missing scope", async () => {
    const { status, json } = await restTextToImage(system.baseUrl, modelsOnly);
    expect(status).toBe(403);
    expect(json.error).toMatchObject({ code: "FORBIDDEN", details: { required_scope: "images:generate" } });
    const models = await fetch(`${system.baseUrl}/api/v2/models`, bearer(modelsOnly));
    expect(models.status).toBe(200);
    const generations = await fetch(`${system.baseUrl}/api/v2/generations`, bearer(generateOnly));
    expect(generations.status).toBe(403);
    expect(((await generations.json()) as { error: { details: unknown } }).error.details).toEqual({
      required_scope: "images:read",
    });
  });

  const transports: Array<[string, () => Transport]> = [
    ["Connect", () => createConnectTransport({ baseUrl: system.baseUrl, httpVersion: "1.1" })],
    ["gRPC", () => createGrpcTransport({ baseUrl: system.baseUrl })],
    ["gRPC-Web", () => createGrpcWebTransport({ baseUrl: system.baseUrl, httpVersion: "1.1" })],
  ];
  it.each(transports)(
    "%s: PERMISSION_DENIED with ErrorInfo.metadata.required_scope; the scope it has works",
    async (_name, transport) => {
      const images = createClient(ImageService, transport());
      const error = await rpcError(images.textToImage({ prompt: "a lighthouse", model: "local" }, bearer(modelsOnly)));
      expect(error.code).toBe(Code.PermissionDenied);
      const info = error.findDetails(ErrorInfoSchema)[0];
      expect(info?.reason).toBe("FORBIDDEN");
      expect(info?.metadata).toEqual({ required_scope: "images:generate" });
      const models = await createClient(ModelService, transport()).listModels({}, bearer(modelsOnly));
      expect(models.models.length).toBeGreaterThan(0);
    },
  );

  it("compat profiles call the same RPCs: OpenAI Images and seed 002 answer 403 in their own shapes", async () => {
    const openai = await fetch(`${system.baseUrl}/v1/images/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${modelsOnly}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "a lighthouse", model: "local", size: "256x256" }),
    });
    const openaiBody = await openai.text();
    expect({ status: openai.status, body: openaiBody }).toMatchObject({ status: 403 });
    expect(openaiBody).toContain("images:generate");
    const seed002 = await fetch(`${system.baseUrl}/api/text2image/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${modelsOnly}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "a lighthouse", size: "1024x1024" }),
    });
    const seed002Body = await seed002.text();
    expect({ status: seed002.status, body: seed002Body }).toMatchObject({ status: 403 });
    expect(seed002Body).toContain("images:generate");
  });

  it("no scope opens app registration or the admin API to a token, even one of the admin's", async () => {
    const grpc = createGrpcTransport({ baseUrl: system.baseUrl });
    const apps = await rpcError(createClient(OAuthAppService, grpc).listOAuthApps({}, bearer(generateOnly)));
    expect(apps.code).toBe(Code.PermissionDenied);
    expect(apps.rawMessage).toContain("needs an API key");
    const admin = await rpcError(createClient(AdminService, grpc).listApiKeys({}, bearer(generateOnly)));
    expect(admin.code).toBe(Code.PermissionDenied);
    const rest = await fetch(`${system.baseUrl}/api/v2/oauth/apps`, bearer(generateOnly));
    expect(rest.status).toBe(403);
    // The owner's API key reaches the same service over gRPC and Connect.
    for (const transport of [grpc, createConnectTransport({ baseUrl: system.baseUrl, httpVersion: "1.1" })]) {
      const listed = await createClient(OAuthAppService, transport).listOAuthApps({}, bearer(system.adminKey));
      expect(listed.apps.map((a) => a.clientId)).toContain(app.clientId);
    }
  });

  it("authenticates a confidential client with client_secret_post too", async () => {
    const client = { client_id: app.clientId };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(app.secret),
      { scope: "models:read" },
      INSECURE,
    );
    const token = (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
    expect((await fetch(`${system.baseUrl}/api/v2/models`, bearer(token))).status).toBe(200);
  });

  it("refuses a scope the app was not registered for at the token endpoint (invalid_scope)", async () => {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      { client_id: app.clientId },
      oauth.ClientSecretBasic(app.secret),
      { scope: "gallery:write" },
      INSECURE,
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_scope");
  });
});

describe("a token acts only as its owner", () => {
  it("another owner's generation reads as NOT_FOUND, and another owner cannot see, delete or revoke through the app", async () => {
    const bobKey = await createOwnerKey(system.baseUrl, system.adminKey, "bob");
    const bobs = await restTextToImage(system.baseUrl, bobKey);
    expect(bobs.status).toBe(200);
    const readAll = await clientCredentialsToken(as, app.clientId, app.secret, "images:generate");
    // The admin owner's token on bob's generation (cancel needs images:generate): NOT_FOUND.
    const cancel = await fetch(`${system.baseUrl}/api/v2/generations/${String(bobs.json.id)}:cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${readAll}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(cancel.status).toBe(404);
    expect(((await cancel.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("generation"),
    });
    // Bob cannot read or delete the admin's app, and his own app cannot revoke its tokens.
    expect((await fetch(`${system.baseUrl}/api/v2/oauth/apps/${app.clientId}`, bearer(bobKey))).status).toBe(404);
    expect(
      (await fetch(`${system.baseUrl}/api/v2/oauth/apps/${app.clientId}`, { method: "DELETE", ...bearer(bobKey) }))
        .status,
    ).toBe(404);
    const bobApp = await registerApp(system.baseUrl, bobKey, {
      name: "Bob's",
      redirect_uris: ["https://bob.example/cb"],
      scopes: ["models:read"],
      confidential: true,
    });
    const revoke = await oauth.revocationRequest(
      as,
      { client_id: bobApp.json.app.client_id },
      oauth.ClientSecretBasic(bobApp.json.client_secret!),
      readAll,
      INSECURE,
    );
    expect(revoke.status).toBe(400);
    expect((await restTextToImage(system.baseUrl, readAll)).status).toBe(200);
  });

  it("a revoked API key takes the tokens it authorized with it", async () => {
    const carolKey = await createOwnerKey(system.baseUrl, system.adminKey, "carol");
    const carolApp = await registerApp(system.baseUrl, carolKey, {
      name: "Carol's",
      redirect_uris: ["https://carol.example/cb"],
      scopes: ["images:generate"],
      confidential: true,
    });
    const token = await clientCredentialsToken(
      as,
      carolApp.json.app.client_id,
      carolApp.json.client_secret!,
      "images:generate",
    );
    expect((await restTextToImage(system.baseUrl, token)).status).toBe(200);
    const keys = (await (
      await fetch(`${system.baseUrl}/api/v2/admin/keys?owner=carol`, bearer(system.adminKey))
    ).json()) as { keys: Array<{ id: string }> };
    const revoked = await fetch(`${system.baseUrl}/api/v2/admin/keys/${keys.keys[0]!.id}:revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(revoked.status).toBe(200);
    expect((await restTextToImage(system.baseUrl, token)).status).toBe(401);
  });
});
