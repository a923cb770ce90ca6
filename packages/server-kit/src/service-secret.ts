import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ServiceIdentity } from "./service-identity.ts";

/** The shortest deployment secret accepted, in characters (env) or bytes (file). */
export const MIN_SERVICE_SECRET_LENGTH = 32;

/** The file, under the data dir, that holds the secret when IMAGEGEN_SERVICE_SECRET is not set. */
export const SERVICE_SECRET_FILE = "service-identity.key";

/**
 * The deployment's service secret, which every process of one deployment shares and nothing else
 * holds: IMAGEGEN_SERVICE_SECRET (at least 32 characters), or else 32 random bytes kept in
 * `<dataDir>/service-identity.key`, created by whichever process starts first. Throws with a
 * message that names the variable or the file, never the secret.
 */
export function loadServiceSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.IMAGEGEN_SERVICE_SECRET;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (fromEnv.length < MIN_SERVICE_SECRET_LENGTH) {
      throw new Error(
        `IMAGEGEN_SERVICE_SECRET must be at least ${MIN_SERVICE_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`,
      );
    }
    return Buffer.from(fromEnv, "utf8");
  }
  const file = join(dataDir, SERVICE_SECRET_FILE);
  const existing = readIfPresent(file);
  if (existing) return checked(existing, file);
  mkdirSync(dataDir, { recursive: true });
  // Written in full under a private name, then linked into place: link() fails if the name is
  // taken, so of processes starting together exactly one wins, and none can read a file that
  // exists but is still empty (which "wx" on the final name alone would allow).
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temp, randomBytes(MIN_SERVICE_SECRET_LENGTH), { flag: "wx", mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
  return checked(readFileSync(file), file);
}

/**
 * This process's identity as service `name`, with the deployment secret from the environment
 * (IMAGEGEN_SERVICE_SECRET, or the file under IMAGEGEN_DATA_DIR, default ./data — the same
 * directory every process of `npm start` uses).
 */
export function loadServiceIdentity(name: string, env: NodeJS.ProcessEnv = process.env): ServiceIdentity {
  return new ServiceIdentity(name, loadServiceSecret(resolve(env.IMAGEGEN_DATA_DIR ?? "data"), env));
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function checked(secret: Buffer, file: string): Buffer {
  if (secret.length < MIN_SERVICE_SECRET_LENGTH) {
    throw new Error(
      `${file} holds fewer than ${MIN_SERVICE_SECRET_LENGTH} bytes; delete it (every process must restart) or set IMAGEGEN_SERVICE_SECRET`,
    );
  }
  return secret;
}
