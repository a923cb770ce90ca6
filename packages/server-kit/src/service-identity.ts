import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { drawRandomBytes } from "./random-pool.ts";

/**
 * Who is calling, and who answered, on an internal hop — proven with the deployment's shared
 * secret (see service-secret.ts) by HMAC-SHA256:
 *
 *   caller → callee   x-imagegen-service-token: v1.<caller>.<audience>.<unix ms>.<nonce>.<mac>
 *                     x-imagegen-service-challenge: <16 random bytes, base64url, fresh per call>
 *   callee → caller   x-imagegen-service-proof: HMAC(secret, "proof|<callee>|<challenge>")
 *
 * The token says "a process of this deployment named <caller> calls <audience>"; it is valid for
 * TOKEN_WINDOW_MS and a caller reuses it for up to a second (see identity-interceptors.ts), which
 * keeps its HMAC off most calls. The proof says "<callee> holds the same secret and saw this very
 * challenge", so a process of another deployment (or none) on a callee's address cannot pass for
 * it, and no proof can be replayed onto another call.
 */
export const SERVICE_TOKEN_HEADER = "x-imagegen-service-token";
export const SERVICE_CHALLENGE_HEADER = "x-imagegen-service-challenge";
export const SERVICE_PROOF_HEADER = "x-imagegen-service-proof";

/**
 * How far a token's time may lie from the callee's clock, either way: long enough for clock skew
 * between hosts and a slow hop, short enough that a token seen on the wire is soon useless.
 */
export const TOKEN_WINDOW_MS = 60_000;

const VERSION = "v1";
// Service names go into a dot-separated token, so they are kept to a plain alphabet.
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A token that checked out: who sent it, and when it was issued (unix ms). */
export interface VerifiedToken {
  readonly caller: string;
  readonly issuedAt: number;
}

// A challenge as newChallenge() makes it: base64url, long enough to be unguessable.
const CHALLENGE = /^[A-Za-z0-9_-]{22,64}$/;

/** A fresh challenge for one call: the callee's proof must name it. */
export function newChallenge(): string {
  return drawRandomBytes(16).toString("base64url");
}

/** True when `value` has the shape of a challenge (the callee proves only those). */
export function isChallenge(value: string | null): value is string {
  return value !== null && CHALLENGE.test(value);
}

/** The refusal of a token whose time lies outside TOKEN_WINDOW_MS of the callee's clock. */
export const TOKEN_NOT_CURRENT = "service token expired or not yet valid (check the clocks)";

/** True when a token issued at `issuedAt` may still be used at `now`. */
export function isCurrent(issuedAt: number, now: number): boolean {
  return Math.abs(now - issuedAt) <= TOKEN_WINDOW_MS;
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

  /** A token for calls to `audience`, issued `now` (its nonce makes each one unique). */
  issue(audience: string, now = Date.now()): string {
    if (!NAME.test(audience))
      throw new Error(`service name "${audience}" must be lowercase letters, digits and dashes`);
    const body = `${VERSION}.${this.name}.${audience}.${now}.${drawRandomBytes(12).toString("base64url")}`;
    return `${body}.${this.mac(body)}`;
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
    if (!this.macMatches(parts.slice(0, 5).join("."), mac))
      return { refused: "service token not signed by this deployment" };
    if (audience !== this.name) return { refused: "service token is meant for another service" };
    if (!isCurrent(Number(time), now)) return { refused: TOKEN_NOT_CURRENT };
    return { caller, issuedAt: Number(time) };
  }

  /** The proof this process sends back for a call's challenge. */
  prove(challenge: string): string {
    return this.mac(`proof|${this.name}|${challenge}`);
  }

  /** True when `proof` shows that `callee` holds this deployment's secret and saw `challenge`. */
  checkProof(callee: string, challenge: string, proof: string | null | undefined): boolean {
    return typeof proof === "string" && this.macMatches(`proof|${callee}|${challenge}`, proof);
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
