import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeDropbox, type FakeDropbox } from "../../test/fakes/fake-dropbox.ts";
import { startFakeGoogleDrive, type FakeGoogleDrive } from "../../test/fakes/fake-google-drive.ts";
import { DropboxClient, headerSafeJson } from "./dropbox-client.ts";
import { GoogleDriveClient } from "./google-drive-client.ts";

// The two clients' OAuth and upload edges against the fakes (the happy paths and the queue's
// behaviour are in integration-uploader.test.ts).
let dropbox: FakeDropbox;
let drive: FakeGoogleDrive;
let dbx: DropboxClient;
let gdrive: GoogleDriveClient;
beforeAll(async () => {
  [dropbox, drive] = [await startFakeDropbox(), await startFakeGoogleDrive()];
  dbx = new DropboxClient({
    appKey: dropbox.appKey,
    appSecret: dropbox.appSecret,
    apiUrl: dropbox.apiUrl,
    contentUrl: dropbox.contentUrl,
    webUrl: dropbox.webUrl,
  });
  gdrive = new GoogleDriveClient({
    clientId: drive.clientId,
    clientSecret: drive.clientSecret,
    oauthUrl: drive.oauthUrl,
    driveApiUrl: drive.driveUrl,
    accountsUrl: drive.accountsUrl,
  });
});
afterAll(async () => {
  await dropbox?.close();
  await drive?.close();
});

const REDIRECT = "https://app.example/cb";
const pkce = () => {
  const verifier = randomBytes(48).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
};

describe("Dropbox client", () => {
  it("sends redirect_uri only when given: a code minted without one exchanges without one", async () => {
    const tokens = await dbx.exchangeCode({ code: dropbox.approve({}) });
    expect(tokens.refreshToken).not.toBe("");
    await expect(dbx.exchangeCode({ code: dropbox.approve({}), redirectUri: REDIRECT })).rejects.toMatchObject({
      failure: "refused",
      message: expect.stringContaining("redirect_uri mismatch"),
    });
  });

  it("proves PKCE with the verifier, and a code is single-use", async () => {
    const { verifier, challenge } = pkce();
    const code = dropbox.approve({ redirectUri: REDIRECT, codeChallenge: challenge });
    await expect(
      dbx.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: pkce().verifier }),
    ).rejects.toMatchObject({ failure: "refused" });
    const fresh = dropbox.approve({ redirectUri: REDIRECT, codeChallenge: challenge });
    expect(
      (await dbx.exchangeCode({ code: fresh, redirectUri: REDIRECT, codeVerifier: verifier })).accessToken,
    ).toMatch(/^sl\./);
    await expect(
      dbx.exchangeCode({ code: fresh, redirectUri: REDIRECT, codeVerifier: verifier }),
    ).rejects.toMatchObject({ message: expect.stringContaining("code doesn't exist or has expired") });
  });

  it("refuses a code given without offline access (no refresh token to upload with later)", async () => {
    await expect(dbx.exchangeCode({ code: dropbox.approve({ offline: false }) })).rejects.toMatchObject({
      failure: "refused",
      message: expect.stringContaining("no refresh token"),
    });
  });

  it("escapes non-ASCII in Dropbox-API-Arg, so a folder named Café takes a file named née", async () => {
    expect(headerSafeJson({ path: "/Café/née.png" })).toBe('{"path":"/Caf\\u00e9/n\\u00e9e.png"}');
    const tokens = await dbx.exchangeCode({ code: dropbox.approve({}) });
    const folder = await dbx.ensureFolder(tokens.accessToken, "/Café");
    expect(await dbx.ensureFolder(tokens.accessToken, "/Café")).toBe(folder);
    const uploaded = await dbx.upload(
      tokens.accessToken,
      { path: "/Café", ref: folder },
      "née.png",
      Buffer.from("x"),
      "image/png",
    );
    expect(uploaded.remotePath).toBe("/Café/née.png");
  });

  it("classifies a plain-text 429 as retryable with its Retry-After", async () => {
    const tokens = await dbx.exchangeCode({ code: dropbox.approve({}) });
    dropbox.fail("files/upload", { status: 429, retryAfterSeconds: 7, plainText: true });
    await expect(
      dbx.upload(tokens.accessToken, { path: "/", ref: "" }, "a.png", Buffer.from("y"), "image/png"),
    ).rejects.toMatchObject({ failure: "retry", retryAfterMs: 7000 });
  });

  it("revokes: afterwards the refresh token is refused as invalid_grant (reauth)", async () => {
    const tokens = await dbx.exchangeCode({ code: dropbox.approve({}) });
    await dbx.revoke(tokens);
    await expect(dbx.refresh(tokens.refreshToken)).rejects.toMatchObject({ failure: "reauth" });
  });
});

describe("Google Drive client", () => {
  it("refuses a connection where the user unticked drive.file (granular consent)", async () => {
    const code = drive.approve({ redirectUri: REDIRECT, scope: "openid email" });
    await expect(gdrive.exchangeCode({ code, redirectUri: REDIRECT })).rejects.toMatchObject({
      failure: "refused",
      message: expect.stringContaining("drive.file"),
    });
  });

  it("maps redirect_uri_mismatch and a wrong PKCE verifier to refusals", async () => {
    const { verifier, challenge } = pkce();
    await expect(
      gdrive.exchangeCode({
        code: drive.approve({ redirectUri: REDIRECT }),
        redirectUri: "https://elsewhere.example/cb",
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("redirect_uri_mismatch") });
    await expect(
      gdrive.exchangeCode({
        code: drive.approve({ redirectUri: REDIRECT, codeChallenge: challenge }),
        redirectUri: REDIRECT,
        codeVerifier: pkce().verifier,
      }),
    ).rejects.toMatchObject({ failure: "refused" });
    expect(
      (
        await gdrive.exchangeCode({
          code: drive.approve({ redirectUri: REDIRECT, codeChallenge: challenge }),
          redirectUri: REDIRECT,
          codeVerifier: verifier,
        })
      ).accessToken,
    ).toMatch(/^ya29\./);
  });

  it("finds a folder whose name has a quote instead of making a second one", async () => {
    const tokens = await gdrive.exchangeCode({ code: drive.approve({ redirectUri: REDIRECT }), redirectUri: REDIRECT });
    const first = await gdrive.ensureFolder(tokens.accessToken, "/Ada's renders/2026");
    expect(await gdrive.ensureFolder(tokens.accessToken, "/Ada's renders/2026")).toBe(first);
    expect([...drive.files.values()].filter((f) => f.name === "Ada's renders")).toHaveLength(1);
  });

  it("classifies 500 backendError as retryable and 401 authError as expired", async () => {
    const tokens = await gdrive.exchangeCode({ code: drive.approve({ redirectUri: REDIRECT }), redirectUri: REDIRECT });
    drive.fail("upload", { status: 500 });
    await expect(
      gdrive.upload(tokens.accessToken, { path: "/", ref: "root" }, "a.png", Buffer.from("z"), "image/png"),
    ).rejects.toMatchObject({ failure: "retry" });
    await expect(
      gdrive.upload("ya29.unknown", { path: "/", ref: "root" }, "a.png", Buffer.from("z"), "image/png"),
    ).rejects.toMatchObject({ failure: "expired" });
  });
});
