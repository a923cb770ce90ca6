import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestServer } from "../../test/state-servers.ts";
import type { OAuthAppRecord } from "../oauth/oauth-store.ts";
import { artifactIdHash, StoreAdapter } from "../oauth/store-adapter.ts";
import { openState, type State } from "./open-state.ts";

// The OAuth family (apps and the authorization server's artifacts) on both backends, each opened
// twice over one database as two replicas are: what one issues or revokes, the other sees at once.
let postgres: TestServer;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.stop());

const sqliteDir = mkdtempSync(join(tmpdir(), "imagegen-oauth-state-"));
const backends: Array<[string, () => Promise<State>]> = [
  ["sqlite", () => openState(sqliteDir, {})],
  ["postgres", () => openState(sqliteDir, { DATABASE_URL: postgres.url })],
];

describe.each(backends)("OAuth state on %s", (name) => {
  let a: State;
  let b: State;
  const owner = `owner_${name}_${Math.random().toString(36).slice(2)}`;
  const app = (n: number, patch: Partial<OAuthAppRecord> = {}): OAuthAppRecord => ({
    clientId: `app_${name}_${owner}_${n}`,
    owner,
    keyId: "key_1",
    name: `App ${n}`,
    redirectUris: ["https://app.example/cb", "http://127.0.0.1:8765/cb"],
    scopes: ["images:generate", "models:read"],
    confidential: n % 2 === 1,
    secretHashHex: n % 2 === 1 ? "ab".repeat(32) : "",
    createdAt: 1_700_000_000_000 + n,
    ...patch,
  });
  beforeAll(async () => {
    const open = backends.find(([n]) => n === name)![1];
    [a, b] = [await open(), await open()];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("registers apps on one handle and finds and lists them, owner-scoped, on the other", async () => {
    await a.oauth.insertApp(app(1));
    await a.oauth.insertApp(app(2));
    expect(await b.oauth.findApp(app(1).clientId)).toEqual(app(1));
    expect((await b.oauth.listApps(owner)).map((x) => x.clientId)).toEqual([app(1).clientId, app(2).clientId]);
    expect(await b.oauth.listApps("someone-else")).toEqual([]);
    expect(await b.oauth.deleteApp("someone-else", app(1).clientId)).toBe(false);
    expect(await b.oauth.findApp(app(1).clientId)).toBeDefined();
  });

  it("keeps tokens by digest only, and sees consumption and expiry from the other handle", async () => {
    const onA = new StoreAdapter("RefreshToken", a.oauth);
    const onB = new StoreAdapter("RefreshToken", b.oauth);
    const token = `rt_${name}_${Math.random().toString(36).slice(2)}`;
    await onA.upsert(
      token,
      { jti: token, clientId: app(1).clientId, grantId: `grant_${name}`, scope: "images:generate" } as never,
      60,
    );
    const stored = await b.oauth.findArtifact("RefreshToken", artifactIdHash(token), Date.now());
    expect(stored?.payloadJson).not.toContain(token);
    expect(stored?.idHash).not.toBe(token);
    expect(await onB.find(token)).toMatchObject({ jti: token, clientId: app(1).clientId, scope: "images:generate" });
    await onA.consume(token);
    expect((await onB.find(token))?.consumed).toBeGreaterThan(0);
    await onA.upsert(`${token}_old`, { clientId: app(1).clientId } as never, -1);
    expect(await onB.find(`${token}_old`)).toBeUndefined();
    await onB.destroy(token);
    expect(await onA.find(token)).toBeUndefined();
  });

  it("revokes a grant's whole family, and an app's every artifact when it is deleted, across handles", async () => {
    const codes = new StoreAdapter("AuthorizationCode", a.oauth);
    const access = new StoreAdapter("AccessToken", a.oauth);
    const grant = `grant_family_${name}`;
    await codes.upsert("code_1", { clientId: app(1).clientId, grantId: grant } as never, 60);
    await access.upsert("at_1", { clientId: app(1).clientId, grantId: grant } as never, 60);
    await access.upsert("at_2", { clientId: app(2).clientId, grantId: "grant_other" } as never, 60);
    await new StoreAdapter("Grant", b.oauth).revokeByGrantId(grant);
    expect(await codes.find("code_1")).toBeUndefined();
    expect(await access.find("at_1")).toBeUndefined();
    expect(await access.find("at_2")).toBeDefined();
    expect(await b.oauth.deleteApp(owner, app(2).clientId)).toBe(true);
    expect(await access.find("at_2")).toBeUndefined();
    expect(await a.oauth.findApp(app(2).clientId)).toBeUndefined();
  });

  it("serves registered apps as oidc-provider clients (secret as its digest, loopback apps native)", async () => {
    const client = await new StoreAdapter("Client", b.oauth).find(app(1).clientId);
    expect(client).toMatchObject({
      client_id: app(1).clientId,
      client_secret: "ab".repeat(32),
      token_endpoint_auth_method: "client_secret_basic",
      application_type: "native",
      scope: "images:generate models:read",
      grant_types: ["authorization_code", "refresh_token", "client_credentials"],
    });
    expect(await new StoreAdapter("Client", b.oauth).find("app_unknown")).toBeUndefined();
  });
});
