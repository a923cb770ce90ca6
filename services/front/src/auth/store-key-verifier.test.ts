import { describe, expect, it } from "vitest";
import { SqliteStore } from "../store/sqlite-store.ts";
import { createApiKey } from "./api-keys.ts";
import { hashSecret } from "./key-verifier.ts";
import { createKeyResolver } from "./store-key-verifier.ts";

describe("key resolver", () => {
  it("resolves bootstrap and stored keys, and refuses unknown and revoked ones", async () => {
    const store = new SqliteStore(":memory:");
    const bootstrap = [
      {
        hash: hashSecret("boot"),
        principal: { keyId: "key_bootstrap", owner: "admin", admin: true, tier: "enterprise" },
      },
    ];
    const resolve = createKeyResolver(store, () => bootstrap);
    const { key, secret } = await createApiKey(store, {
      owner: "alice",
      tier: "basic",
      allowedModels: ["local"],
      monthlyCreditQuota: 9,
    });

    expect((await resolve("boot"))?.keyId).toBe("key_bootstrap");
    expect(await resolve(secret)).toEqual({
      keyId: key.id,
      owner: "alice",
      admin: false,
      tier: "basic",
      allowedModels: ["local"],
      allowedProviders: [],
      monthlyCreditQuota: 9,
    });
    expect(await resolve(`${secret}x`)).toBeUndefined();
    await store.revokeApiKey(key.id, Date.now());
    expect(await resolve(secret)).toBeUndefined();
    await store.close();
  });

  it("stores only the digest of a new key, never its secret", async () => {
    const store = new SqliteStore(":memory:");
    const { key, secret } = await createApiKey(store, { owner: "bob" });
    expect(JSON.stringify(await store.listApiKeys({}))).not.toContain(secret.split(".")[1]);
    expect(key.hashHex).toBe(hashSecret(secret).toString("hex"));
    await expect(createApiKey(store, { owner: "bob", tier: "platinum" })).rejects.toThrow(/unknown tier/);
    await store.close();
  });
});
