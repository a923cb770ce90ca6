import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isChallenge, newChallenge, ServiceIdentity, TOKEN_WINDOW_MS } from "./service-identity.ts";

const secret = randomBytes(32);
const gateway = new ServiceIdentity("gateway", secret);
const front = new ServiceIdentity("front", secret);
const provider = new ServiceIdentity("provider-local", secret);
const now = 1_770_000_000_000;

// Replaces one dot-separated field of a token.
function withField(token: string, index: number, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}

describe("service tokens", () => {
  it("carry the caller and their time to the audience they were issued for", () => {
    const token = gateway.issue("front", now);
    expect(front.verify(token, now + 1000)).toEqual({ caller: "gateway", issuedAt: now });
  });

  it("are unique even when issued in the same millisecond", () => {
    expect(new Set(Array.from({ length: 100 }, () => gateway.issue("front", now))).size).toBe(100);
  });

  it.each([
    ["a changed caller", (t: string) => withField(t, 1, "front")],
    ["a changed audience", (t: string) => withField(t, 2, "provider-local")],
    ["a changed time", (t: string) => withField(t, 3, String(now + 1))],
    ["a changed nonce", (t: string) => withField(t, 4, "AAAAAAAAAAAAAAAAAAAAAA")],
    [
      "a changed MAC",
      (t: string) =>
        withField(
          t,
          5,
          t.split(".")[5]!.replace(/^./, (c) => (c === "A" ? "B" : "A")),
        ),
    ],
    ["a truncated MAC", (t: string) => t.slice(0, -2)],
  ])("are refused with %s", (_name, tamper) => {
    const token = gateway.issue("front", now);
    const result = front.verify(tamper(token), now);
    expect(result).toHaveProperty("refused");
  });

  it("are refused when signed with another deployment's secret", () => {
    const stranger = new ServiceIdentity("gateway", randomBytes(32));
    expect(front.verify(stranger.issue("front", now), now)).toEqual({
      refused: "service token not signed by this deployment",
    });
  });

  it("are refused by a service they were not meant for", () => {
    const token = gateway.issue("front", now);
    expect(provider.verify(token, now)).toEqual({ refused: "service token is meant for another service" });
  });

  it.each([
    ["older than the window", now + TOKEN_WINDOW_MS + 1],
    ["from further in the future than the window", now - TOKEN_WINDOW_MS - 1],
  ])("are refused when %s", (_name, verifiedAt) => {
    const token = gateway.issue("front", now);
    expect(front.verify(token, verifiedAt)).toEqual({
      refused: "service token expired or not yet valid (check the clocks)",
    });
  });

  it("are accepted at the edges of the window", () => {
    const token = gateway.issue("front", now);
    expect(front.verify(token, now + TOKEN_WINDOW_MS)).toHaveProperty("caller", "gateway");
    expect(front.verify(token, now - TOKEN_WINDOW_MS)).toHaveProperty("caller", "gateway");
  });

  it.each([
    "",
    "v1",
    "v2.gateway.front.1.n.m",
    "v1.gateway.front.notatime.n.m",
    "v1.Gateway.front.1.n.m",
    "v1.gateway.front.1..m",
    "a.b.c.d.e.f.g",
  ])("are refused as malformed: %j", (token) => {
    expect(front.verify(token, now)).toEqual({ refused: "malformed service token" });
  });

  it("never repeat the secret in a refusal", () => {
    const token = gateway.issue("front", now);
    for (const t of [token.slice(0, -1), withField(token, 2, "other")]) {
      const result = front.verify(t, now) as { refused: string };
      expect(result.refused).not.toContain(secret.toString("base64url"));
      expect(result.refused).not.toContain(secret.toString("hex"));
    }
  });

  it("refuse service names outside their alphabet", () => {
    expect(() => new ServiceIdentity("front.evil", secret)).toThrow(/lowercase letters/);
    expect(() => gateway.issue("Front")).toThrow(/lowercase letters/);
  });
});

describe("callee proofs", () => {
  it("check out for the callee that answered and the challenge of the call", () => {
    const challenge = newChallenge();
    expect(front.checkProof("provider-local", challenge, provider.prove(challenge))).toBe(true);
  });

  it("do not check out for another call's challenge (no replay onto a new call)", () => {
    const [first, second] = [newChallenge(), newChallenge()];
    expect(front.checkProof("provider-local", second, provider.prove(first))).toBe(false);
  });

  it("do not check out when another service made them", () => {
    const challenge = newChallenge();
    expect(gateway.checkProof("front", challenge, provider.prove(challenge))).toBe(false);
  });

  it("do not check out when made with another deployment's secret", () => {
    const challenge = newChallenge();
    const impostor = new ServiceIdentity("provider-local", randomBytes(32));
    expect(front.checkProof("provider-local", challenge, impostor.prove(challenge))).toBe(false);
  });

  it.each([null, undefined, "", "not-a-proof"])("do not check out when missing or malformed: %j", (proof) => {
    expect(front.checkProof("provider-local", newChallenge(), proof)).toBe(false);
  });
});

describe("challenges", () => {
  it("are fresh on every call and have the shape a callee proves", () => {
    const challenges = Array.from({ length: 100 }, newChallenge);
    expect(new Set(challenges).size).toBe(100);
    expect(challenges.every(isChallenge)).toBe(true);
  });

  it.each([null, "", "short", "x".repeat(65), "has spaces in it and is long enough"])("refuse %j", (value) => {
    expect(isChallenge(value)).toBe(false);
  });
});
