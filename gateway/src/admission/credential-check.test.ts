import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { EdgeService } from "@imagegen/proto/imagegen/edge/v1/edge_service_pb";
import { apiError, ErrorReason } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { createCredentialCheck } from "./credential-check.ts";

/** A front whose EdgeService accepts "good", refuses anything else, or is away. */
function fakeFront(state: { calls: number; away: boolean }) {
  return createRouterTransport((router) =>
    router.service(EdgeService, {
      checkCredential(_req, ctx) {
        state.calls++;
        if (state.away) throw new ConnectError("front away", Code.Unavailable);
        if (ctx.requestHeader.get("authorization") !== "Bearer good")
          throw apiError(ErrorReason.UNAUTHORIZED, "invalid API key");
        return { keyId: "key_1" };
      },
    }),
  );
}

const headers = (key: string) => new Headers({ authorization: `Bearer ${key}` });
const outcome = (promise: Promise<void>) =>
  promise.then(
    () => "ok",
    (e: unknown) => Code[ConnectError.from(e).code],
  );

describe("the edge's credential check", () => {
  it("asks the front once per credential and TTL, for many concurrent requests", async () => {
    const state = { calls: 0, away: false };
    let now = 0;
    const check = createCredentialCheck(fakeFront(state), 1_000, () => now);
    expect(await Promise.all([1, 2, 3].map(() => outcome(check(headers("good")))))).toEqual(["ok", "ok", "ok"]);
    expect(await Promise.all([1, 2].map(() => outcome(check(headers("bad")))))).toEqual([
      "Unauthenticated",
      "Unauthenticated",
    ]);
    expect(state.calls).toBe(2);
    now = 1_001;
    expect(await outcome(check(headers("good")))).toBe("ok");
    expect(state.calls).toBe(3);
  });

  it("treats a front that does not answer in time as away (UNAVAILABLE), never as the client's cancel", async () => {
    const hanging = createRouterTransport((router) =>
      router.service(EdgeService, {
        checkCredential: (_req, ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", reject)),
      }),
    );
    const check = createCredentialCheck(hanging, 10_000, Date.now, 200);
    expect(await outcome(check(headers("good")))).toBe("Unavailable");
  });

  it("does not remember an outage: the next request asks again", async () => {
    const state = { calls: 0, away: true };
    const check = createCredentialCheck(fakeFront(state), 10_000);
    expect(await outcome(check(headers("good")))).toBe("Unavailable");
    state.away = false;
    expect(await outcome(check(headers("good")))).toBe("ok");
    expect(state.calls).toBe(2);
  });
});
