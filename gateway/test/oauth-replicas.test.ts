import { randomBytes } from "node:crypto";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestServer } from "../../services/front/test/state-servers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";
import { INSECURE, clientCredentialsToken, discover, registerApp, restTextToImage } from "./support/oauth-fixtures.ts";

// Two complete instances with separate data dirs over one PostgreSQL: OAuth state is in the store,
// so a token issued through one replica works through the other, and a revocation or an app
// deletion through either is in force on both from the next request.
let postgres: TestServer;
let a: RunningSystem;
let b: RunningSystem;

beforeAll(async () => {
  postgres = await startPostgres();
  const env = { DATABASE_URL: postgres.url, IMAGEGEN_SERVICE_SECRET: randomBytes(32).toString("base64") };
  // One after the other: the first runs the schema migrations, the second finds them applied.
  a = await startSystem(env);
  b = await startSystem(env);
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await postgres?.stop();
});

describe("OAuth across replicas", () => {
  it("honours on A a token issued by B, and a revocation through B refuses it on A at once", async () => {
    const [asA, asB] = [await discover(a.baseUrl), await discover(b.baseUrl)];
    const app = await registerApp(a.baseUrl, a.adminKey, {
      name: "Replicated",
      redirect_uris: ["https://rep.example/cb"],
      scopes: ["images:generate"],
      confidential: true,
    });
    expect(app.status).toBe(201);
    const client = { client_id: app.json.app.client_id };
    const auth = oauth.ClientSecretBasic(app.json.client_secret!);
    const token = await clientCredentialsToken(asB, client.client_id, app.json.client_secret!, "images:generate");
    expect((await restTextToImage(a.baseUrl, token)).status).toBe(200);
    const seen = await oauth.processIntrospectionResponse(
      asA,
      client,
      await oauth.introspectionRequest(asA, client, auth, token, INSECURE),
    );
    expect(seen.active).toBe(true);
    await oauth.processRevocationResponse(await oauth.revocationRequest(asB, client, auth, token, INSECURE));
    expect((await restTextToImage(a.baseUrl, token)).status).toBe(401);
    expect((await restTextToImage(b.baseUrl, token)).status).toBe(401);
  });

  it("deleting the app through A ends, on B, the tokens B issued", async () => {
    const asB = await discover(b.baseUrl);
    const app = await registerApp(b.baseUrl, b.adminKey, {
      name: "Doomed",
      redirect_uris: ["https://doomed.example/cb"],
      scopes: ["images:generate"],
      confidential: true,
    });
    const token = await clientCredentialsToken(asB, app.json.app.client_id, app.json.client_secret!, "images:generate");
    expect((await restTextToImage(b.baseUrl, token)).status).toBe(200);
    const deleted = await fetch(`${a.baseUrl}/api/v2/oauth/apps/${app.json.app.client_id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${a.adminKey}` },
    });
    expect(deleted.status).toBe(204);
    expect((await restTextToImage(b.baseUrl, token)).status).toBe(401);
  });
});
