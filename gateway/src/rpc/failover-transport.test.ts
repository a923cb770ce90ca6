import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { Health, HealthCheckRequestSchema } from "@imagegen/proto/grpc/health/v1/health_pb";
import { UNPROVEN_PEER_MESSAGE } from "@imagegen/server-kit";
import { describe, expect, it } from "vitest";
import { createFailoverTransport } from "./failover-transport.ts";

const check = Health.method.check;
const refused = () =>
  new ConnectError(
    "connect ECONNREFUSED 127.0.0.1:1",
    Code.Unavailable,
    undefined,
    undefined,
    Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
  );

/** A transport that records its calls and answers with `outcome` ("ok" or an error). */
function fakeFront(name: string, calls: string[], outcome: () => "ok" | Error): Transport {
  const answer = async () => {
    calls.push(name);
    const result = outcome();
    if (result !== "ok") throw result;
    return { message: { status: 1 }, header: new Headers(), trailer: new Headers() } as never;
  };
  return { unary: answer, stream: answer } as unknown as Transport;
}

const call = (t: Transport) =>
  t.unary(check, undefined, undefined, undefined, { $typeName: HealthCheckRequestSchema.typeName, service: "" });

describe("failover over front replicas", () => {
  it("spreads calls round-robin", async () => {
    const calls: string[] = [];
    const t = createFailoverTransport([fakeFront("a", calls, () => "ok"), fakeFront("b", calls, () => "ok")]);
    for (let i = 0; i < 4; i++) await call(t);
    expect(calls).toEqual(["a", "b", "a", "b"]);
  });

  it("sends a refused call to the next front, and tries the refusing one last for a while", async () => {
    const calls: string[] = [];
    let clock = 0;
    const t = createFailoverTransport([fakeFront("a", calls, refused), fakeFront("b", calls, () => "ok")], () => clock);
    await call(t);
    await call(t);
    await call(t);
    expect(calls).toEqual(["a", "b", "b", "b"]);
    clock = 5_000;
    await call(t);
    await call(t);
    // The penalty is over: "a" is tried again (and still refuses; "b" answers).
    expect(calls.slice(4)).toContain("a");
  });

  it("never repeats a call a front received, even when it failed as unavailable", async () => {
    const calls: string[] = [];
    const reset = new ConnectError("stream reset", Code.Unavailable);
    const t = createFailoverTransport([fakeFront("a", calls, () => reset), fakeFront("b", calls, () => "ok")]);
    await expect(call(t)).rejects.toBe(reset);
    expect(calls).toEqual(["a"]);
  });

  it("tries a front whose connection broke under a call last for a while, so a repeat reaches another", async () => {
    const calls: string[] = [];
    const reset = new ConnectError(
      "read ECONNRESET",
      Code.Unavailable,
      undefined,
      undefined,
      Object.assign(new Error("reset"), { code: "ECONNRESET" }),
    );
    let aResets = true;
    let clock = 0;
    const t = createFailoverTransport(
      [fakeFront("a", calls, () => (aResets ? reset : "ok")), fakeFront("b", calls, () => "ok")],
      () => clock,
    );
    // The broken call is not sent on (the front may have received it)…
    await expect(call(t)).rejects.toBe(reset);
    // …but the caller's repeat, and the calls after it, go to the other front first.
    await call(t);
    await call(t);
    expect(calls).toEqual(["a", "b", "b"]);
    aResets = false;
    clock = 5_000;
    await call(t);
    await call(t);
    expect(calls.slice(3).sort()).toEqual(["a", "b"]);
  });

  it("sends a call on when the peer could not prove it is one of ours (another process took a dead front's port)", async () => {
    const calls: string[] = [];
    const impostor = () => new ConnectError(UNPROVEN_PEER_MESSAGE, Code.Unavailable);
    const t = createFailoverTransport([fakeFront("a", calls, impostor), fakeFront("b", calls, () => "ok")]);
    await call(t);
    await call(t);
    expect(calls).toEqual(["a", "b", "b"]);
  });

  it("reports the refusal when every front refuses", async () => {
    const calls: string[] = [];
    const t = createFailoverTransport([fakeFront("a", calls, refused), fakeFront("b", calls, refused)]);
    await expect(call(t)).rejects.toMatchObject({ code: Code.Unavailable });
    expect(calls).toEqual(["a", "b"]);
  });
});
