import { describe, expect, it } from "vitest";
import { redirectUriProblem } from "./redirect-uris.ts";

describe("redirect URIs an app may register", () => {
  it.each([
    ["https://app.example/callback", undefined],
    ["https://app.example:8443/cb?x=1", undefined],
    ["http://127.0.0.1:8765/callback", undefined],
    ["http://localhost:3000/cb", undefined],
    ["http://[::1]:3000/cb", undefined],
    ["http://127.0.0.1/callback", "a loopback http redirect URI must name a port (http://127.0.0.1:<port>/…)"],
    ["https://localhost:8443/cb", "a loopback redirect URI must use http (http://127.0.0.1:<port>/…)"],
    [
      "http://app.example/cb",
      "must be an https URL, or a loopback http://127.0.0.1:<port>/… or http://localhost:<port>/… URL",
    ],
    ["https://app.example/cb#frag", "must not contain a fragment"],
    ["https://user:pw@app.example/cb", "must not contain credentials"],
    [
      "javascript:alert(1)",
      "must be an https URL, or a loopback http://127.0.0.1:<port>/… or http://localhost:<port>/… URL",
    ],
    ["/relative", "must be an absolute URL"],
  ])("%s → %s", (uri, problem) => {
    expect(redirectUriProblem(uri)).toBe(problem);
  });
});
