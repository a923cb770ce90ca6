import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const KEY_FILE = "secrets.key";
const VERSION = "v1";

/**
 * Seals small secrets (service tokens) for storage: AES-256-GCM with a random IV, so a stolen
 * database without the key reveals nothing and a tampered value fails to open.
 */
export class SecretsBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * The key is SHA-256 of IMAGEGEN_SECRETS_KEY when set (replicas with separate data dirs must
   * share it), else 32 random bytes generated once into `<dataDir>/secrets.key` (mode 0600).
   */
  static load(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretsBox {
    const fromEnv = env.IMAGEGEN_SECRETS_KEY;
    if (fromEnv) {
      if (fromEnv.length < 16)
        throw new Error("IMAGEGEN_SECRETS_KEY must be at least 16 characters (e.g. openssl rand -base64 32)");
      return new SecretsBox(createHash("sha256").update(fromEnv, "utf8").digest());
    }
    return new SecretsBox(keyFile(dataDir));
  }

  /** A box over a given 32-byte key (tests). */
  static withKey(key: Buffer): SecretsBox {
    if (key.length !== 32) throw new Error("a secrets key is 32 bytes");
    return new SecretsBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  /** Throws (without the value) when the value was sealed with another key or altered. */
  open(sealed: string): string {
    const [version, data] = sealed.split(".");
    if (version !== VERSION || !data) throw new Error("not a sealed secret");
    const raw = Buffer.from(data, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      throw new Error(
        "a sealed secret could not be opened: IMAGEGEN_SECRETS_KEY (or the data dir's secrets.key) changed",
      );
    }
  }
}

// Written in full under a private name, then linked into place, so processes starting together
// agree on one key (as server-kit's service secret does).
function keyFile(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  try {
    return checked(readFileSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temp, randomBytes(32), { flag: "wx", mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
  return checked(readFileSync(file));
}

function checked(key: Buffer): Buffer {
  if (key.length !== 32) throw new Error(`${KEY_FILE} must hold 32 bytes`);
  return key;
}
