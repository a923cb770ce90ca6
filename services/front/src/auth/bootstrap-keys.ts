import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashSecret, type KnownKey } from "./key-verifier.ts";

/**
 * The admin key that exists from the first start: IMAGEGEN_BOOTSTRAP_KEY when set (quick starts,
 * tests), otherwise one generated on the very first start, printed once, and kept only as a hash
 * in the data dir.
 */
export function loadBootstrapKeys(dataDir: string, print: (line: string) => void): KnownKey[] {
  const principal = { keyId: "key_bootstrap", owner: "admin", admin: true, tier: "enterprise" };
  const fromEnv = process.env.IMAGEGEN_BOOTSTRAP_KEY;
  if (fromEnv) return [{ hash: hashSecret(fromEnv), principal }];
  const file = join(dataDir, "admin-key.sha256");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const secret = `igk_admin_${randomBytes(24).toString("base64url")}`;
    writeFileSync(file, hashSecret(secret).toString("hex"), { mode: 0o600 });
    print(`first start: created the admin API key ${secret} (shown once; only its hash is stored in ${file})`);
  }
  return [{ hash: Buffer.from(readFileSync(file, "utf8").trim(), "hex"), principal }];
}
