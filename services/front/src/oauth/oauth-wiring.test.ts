import { describe, expect, it } from "vitest";
import { accessTokenTtl } from "./oauth-wiring.ts";

describe("IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S", () => {
  it("defaults to an hour and takes whole seconds from 60 to 86400", () => {
    expect(accessTokenTtl({})).toBe(3600);
    expect(accessTokenTtl({ IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S: "" })).toBe(3600);
    expect(accessTokenTtl({ IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S: "60" })).toBe(60);
    expect(accessTokenTtl({ IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S: "86400" })).toBe(86_400);
  });

  it.each(["59", "86401", "1.5", "1h", "-5"])("refuses %s at start, naming the variable", (value) => {
    expect(() => accessTokenTtl({ IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S: value })).toThrow(
      /IMAGEGEN_OAUTH_ACCESS_TOKEN_TTL_S must be a whole number of seconds from 60 to 86400/,
    );
  });
});
