import type { ServerResponse } from "node:http";
import type { ContractFake, FakeBehaviour } from "./contract-fake.ts";
import { sendCutOff, sendMalformed, sendSlowBody } from "./fake-server.ts";

/** Writes the vendor's own error answer for a scripted status. */
export type StatusAnswer = (res: ServerResponse, status: number, retryAfterSeconds?: number) => void;

/** The scripting half of a ContractFake for a vendor that answers jobs in the submitting request. */
export interface SyncScript extends Pick<ContractFake, "script" | "reset" | "submissions" | "sawStop"> {
  /**
   * Counts one submission and plays the next scripted behaviour. Returns "answered" when it wrote
   * the response (status, slow body, malformed) or holds it open (hang); otherwise the behaviour
   * the fake must render in its own shape ("empty", "moderated"), or undefined for a normal answer.
   */
  submit(res: ServerResponse, answerStatus: StatusAnswer): FakeBehaviour | undefined | "answered";
}

/**
 * Script playback shared by the synchronous fakes (OpenAI, Stability, OpenRouter, A1111-style):
 * a queue of behaviours, a submission counter, and "stopped" meaning the held connection closed,
 * since these vendors have no cancel endpoint.
 */
export function createSyncScript(): SyncScript {
  const scripts: Array<FakeBehaviour & { left: number }> = [];
  let submissions = 0;
  let stopped: Promise<void> = Promise.resolve();
  return {
    script: (behaviour) =>
      void scripts.push({ ...behaviour, left: behaviour.kind === "status" ? (behaviour.times ?? 1) : 1 }),
    reset: () => void scripts.splice(0),
    submissions: () => submissions,
    sawStop: () => stopped,
    submit(res, answerStatus) {
      submissions++;
      const script = scripts[0];
      if (script && --script.left <= 0) scripts.shift();
      switch (script?.kind) {
        case "status":
          answerStatus(res, script.status, script.retryAfterSeconds);
          return "answered";
        case "hang":
          stopped = new Promise((resolve) => res.once("close", resolve));
          return "answered";
        case "slow-body":
          stopped = new Promise((resolve) => res.once("close", resolve));
          sendSlowBody(res);
          return "answered";
        case "malformed":
          sendMalformed(res);
          return "answered";
        case "cut-off":
          sendCutOff(res);
          return "answered";
        default:
          return script;
      }
    },
  };
}
