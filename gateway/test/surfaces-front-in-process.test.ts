import { describe, expect, it } from "vitest";
import { surfacesSuite } from "./support/surfaces-suite.ts";

// Every public surface with the front inside the gateway's process (npm start's default), and what
// else crosses the hop that is now in memory: the edge's checks, readiness, OAuth's HTTP pages.
const system = surfacesSuite({ frontInProcess: true });

describe("the front inside the gateway's process", () => {
  it("runs no front process of its own, and the gateway is ready through the in-memory front", async () => {
    expect(system().pid("front")).toBeUndefined();
    const ready = await fetch(`${system().baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("refuses a wrong key before reading the body, as the front's verdict (401 envelope)", async () => {
    const res = await fetch(`${system().baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: { authorization: "Bearer wrong-key-0123456789", "content-type": "application/json" },
      body: JSON.stringify({ prompt: "a fox", model: "local" }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
  });

  it("serves OAuth's discovery document from the front's own listener", async () => {
    const res = await fetch(`${system().baseUrl}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { issuer: string; token_endpoint: string };
    expect(document.token_endpoint).toBe(`${document.issuer}/oauth/token`);
  });

  it("keeps the front's quota headers and request id on the answer", async () => {
    const res = await fetch(`${system().baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${system().adminKey}`,
        "content-type": "application/json",
        "x-request-id": "req-in-process-1",
      },
      body: JSON.stringify({ prompt: "a fox", model: "local", parameters: { width: 64, height: 64 } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-in-process-1");
    expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
  });
});
