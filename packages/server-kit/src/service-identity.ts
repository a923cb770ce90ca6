import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

/**
 * Who is calling, and who answered, on an internal hop — proven with the deployment's shared
 * secret (see service-secret.ts), one HMAC-SHA256 per step:
 *
 *   caller → callee   x-imagegen-service-token: v1.<caller>.<audience>.<unix ms>.<nonce>.<mac>
 *   callee → caller   x-imagegen-service-proof: HMAC(secret, "proof|<callee>|<nonce>")
 *
 * The token says "a process of this deployment named <caller> calls <audience> now"; the proof
 * says "<callee> holds the same secret and saw this very nonce", so a process of another
 * deployment (or none) on a callee's address cannot pass for it. Each call gets a fresh nonce,
 * so a proof cannot be replayed onto another call.
 */
export const SERVICE_TOKEN_HEADER = "x-imagegen-service-token";
export const SERVICE_PROOF_HEADER = "x-imagegen-service-proof";

/**
 * How far a token's time may lie from the callee's clock, either way: long enough for clock skew
 * between hosts and a slow hop, short enough that a token seen on the wire is soon useless.
 */
export const TOKEN_WINDOW_MS = 60_000;

const VERSION = "v1";
// Service names go into a dot-separated token, so they are kept to a plain alphabet.
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A token that checked out: who sent it and the nonce the answer must prove. */
export interface VerifiedToken {
  readonly caller: string;
  readonly nonce: string;
}

/** One process's identity: its service name and the deployment secret. */
export class ServiceIdentity {
  /** This process's service name ("gateway", "front", "provider-local", …). */
  readonly name: string;
  private readonly key: KeyObject;

  constructor(name: string, secret: Buffer) {
    if (!NAME.test(name)) throw new Error(`service name "${name}" must be lowercase letters, digits and dashes`);
    this.name = name;
    // createHmac() would turn a Buffer key into a KeyObject on every call; once is enough.
    this.key = createSecretKey(secret);
  }

  /** A fresh token for one call to `audience`, and the nonce its answer must prove. */
  issue(audience: string, now = Date.now()): { token: string; nonce: string } {
    if (!NAME.test(audience)) throw new Error(`service name "${audience}" must be lowercase letters, digits and dashes`);
    const nonce = randomBytes(16).toString("base64url");
    const body = `${VERSION}.${this.name}.${audience}.${now}.${nonce}`;
    return { token: `${body}.${this.mac(body)}`, nonce };
  }

  /**
   * Checks a token presented to this process: ours (MAC), meant for us (audience), and current
   * (within TOKEN_WINDOW_MS of now). The refusal reason names no secret and no expected value.
   */
  verify(token: string, now = Date.now()): VerifiedToken | { readonly refused: string } {
    const parts = token.split(".");
    if (parts.length !== 6 || parts[0] !== VERSION) return { refused: "malformed service token" };
    const [, caller, audience, time, nonce, mac] = parts as [string, string, string, string, string, string];
    if (!NAME.test(caller) || !/^\d{1,15}$/.test(time) || nonce === "") return { refused: "malformed service token" };
    if (!this.macMatches(parts.slice(0, 5).join("."), mac)) return { refused: "service token not signed by this deployment" };
    if (audience !== this.name) return { refused: "service token is meant for another service" };
    if (Math.abs(now - Number(time)) > TOKEN_WINDOW_MS) return { refused: "service token expired or not yet valid (check the clocks)" };
    return { caller, nonce };
  }

  /** The proof this process sends back for a verified token's nonce. */
  prove(nonce: string): string {
    return this.mac(`proof|${this.name}|${nonce}`);
  }

  /** True when `proof` shows that `callee` holds this deployment's secret and saw `nonce`. */
  checkProof(callee: string, nonce: string, proof: string | null | undefined): boolean {
    return typeof proof === "string" && this.macMatches(`proof|${callee}|${nonce}`, proof);
  }

  private mac(data: string): string {
    return createHmac("sha256", this.key).update(data).digest("base64url");
  }

  // Constant time in the MAC's bytes, so a caller cannot learn a valid MAC a byte at a time.
  private macMatches(data: string, given: string): boolean {
    const expected = Buffer.from(this.mac(data));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
