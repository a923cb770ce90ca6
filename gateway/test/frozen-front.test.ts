import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

/** The README's bound: a caller of a frozen front is answered within this. */
const FROZEN_ANSWER_BOUND_MS = 15_000;

let system: RunningSystem;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  const pid = system?.pid("front");
  if (pid) process.kill(pid, "SIGCONT");
  await system?.stop();
});

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

async function timed(
  call: () => Promise<Response>,
): Promise<{ status: number; retryAfter: string | null; ms: number }> {
  const started = performance.now();
  const res = await call();
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get("retry-after"), ms: performance.now() - started };
}

describe("a frozen front (SIGSTOP)", () => {
  it("answers every waiting caller 503 with Retry-After within the bound, then serves again once it thaws", async () => {
    // A generation in flight when the front freezes, and calls that arrive while it is frozen.
    const inFlight = timed(() =>
      fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
        method: "POST",
        headers: { ...auth(), "content-type": "application/json" },
        body: JSON.stringify({
          prompt: "a slow storm",
          model: "local",
          parameters: { width: 2048, height: 2048, num_outputs: 4 },
        }),
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const front = system.pid("front")!;
    const gateway = system.pid("gateway");
    process.kill(front, "SIGSTOP");
    const frozenAt = performance.now();
    const arriving = [
      timed(() => fetch(`${system.baseUrl}/api/v2/models`, { headers: auth() })),
      timed(() =>
        fetch(`${system.baseUrl}/imagegen.v1.ModelService/ListModels`, {
          method: "POST",
          headers: { ...auth(), "content-type": "application/json" },
          body: "{}",
        }),
      ),
    ];
    const ready = await timed(() => fetch(`${system.baseUrl}/readyz`));
    const answers = await Promise.all([inFlight, ...arriving]);
    const waited = performance.now() - frozenAt;
    process.kill(front, "SIGCONT");

    expect(ready.status).toBe(503);
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    for (const answer of answers) expect(answer.retryAfter).toBe("1");
    expect(waited).toBeLessThan(FROZEN_ANSWER_BOUND_MS);

    // Served again once it thaws — by the same gateway process, which outlived the frozen front.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await timed(() => fetch(`${system.baseUrl}/api/v2/models`, { headers: auth() }))).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    // The gateway process never died (a PING timeout's error once ended it, uncaught).
    expect(() => process.kill(gateway!, 0)).not.toThrow();
  }, 60_000);
});
