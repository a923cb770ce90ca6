import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createApiKey } from "../auth/api-keys.ts";
import { openStore } from "../store/open-store.ts";

/**
 * Operators' key management, straight on the store the front uses (IMAGEGEN_DATA_DIR's SQLite
 * file, or DATABASE_URL):
 *   npm run keys -- create --owner alice [--name ci] [--tier pro] [--admin] [--models a,b] [--providers p] [--quota 500]
 *   npm run keys -- list [--owner alice] [--all]
 *   npm run keys -- revoke <key id>
 * The secret of a new key is printed once; nothing else ever prints a secret.
 */
const [command, ...rest] = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    owner: { type: "string" },
    name: { type: "string" },
    tier: { type: "string" },
    admin: { type: "boolean", default: false },
    models: { type: "string" },
    providers: { type: "string" },
    quota: { type: "string" },
    all: { type: "boolean", default: false },
  },
});
function quotaOf(value: string | undefined): number {
  const quota = value === undefined ? 0 : Number(value);
  if (!(quota >= 0)) throw new Error("--quota must be a number of credits >= 0");
  return quota;
}
const list = (value: string | undefined): string[] =>
  value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

const store = await openStore(resolve(process.env.IMAGEGEN_DATA_DIR ?? "data"));
try {
  if (command === "create") {
    if (!values.owner) throw new Error("create needs --owner");
    const { key, secret } = await createApiKey(store, {
      owner: values.owner,
      name: values.name,
      tier: values.tier,
      admin: values.admin,
      allowedModels: list(values.models),
      allowedProviders: list(values.providers),
      monthlyCreditQuota: quotaOf(values.quota),
    });
    console.log(JSON.stringify({ id: key.id, owner: key.owner, tier: key.tier, admin: key.admin, secret }));
    console.error("the secret is shown this once; only its hash is stored");
  } else if (command === "list") {
    for (const key of await store.listApiKeys({ owner: values.owner, includeRevoked: values.all })) {
      const { hashHex: _digest, ...visible } = key;
      console.log(JSON.stringify(visible));
    }
  } else if (command === "revoke") {
    const id = positionals[0];
    if (!id) throw new Error("revoke needs a key id");
    const key = await store.revokeApiKey(id, Date.now());
    if (!key) throw new Error(`no key ${id}`);
    console.log(JSON.stringify({ id: key.id, revoked_at: new Date(key.revokedAt ?? 0).toISOString() }));
  } else {
    throw new Error("usage: keys create|list|revoke ... (see services/front/src/cli/keys.ts)");
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await store.close();
}
