import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { BodyBudget } from "./body-budget.ts";
import { createRequestAdmission } from "./request-admission.ts";

const MiB = 1024 * 1024;

function request(contentLength: number): NodeRequest {
  return Object.assign(Readable.from([]), {
    headers: { "content-length": String(contentLength), authorization: "Bearer k" },
  }) as unknown as NodeRequest;
}

describe("request admission", () => {
  it("holds a body's declared bytes until its response closes", async () => {
    const budget = new BodyBudget(16 * MiB);
    const res = new EventEmitter() as unknown as NodeResponse;
    await createRequestAdmission(async () => undefined, budget, 48 * MiB).admit(request(8 * MiB), res);
    expect(budget.bytesInFlight).toBe(8 * MiB);
    res.emit("close");
    expect(budget.bytesInFlight).toBe(0);
  });

  it("leaves nothing reserved when the client left while its credential was being checked (it once stayed reserved for good)", async () => {
    const budget = new BodyBudget(16 * MiB);
    const res = new EventEmitter() as unknown as NodeResponse;
    let answer!: () => void;
    const check = () => new Promise<void>((resolve) => (answer = resolve));
    const admitted = createRequestAdmission(check, budget, 48 * MiB).admit(request(8 * MiB), res);
    res.emit("close");
    answer();
    await admitted;
    expect(budget.bytesInFlight).toBe(0);
  });

  it("refuses before reserving anything when the credential is refused", async () => {
    const budget = new BodyBudget(16 * MiB);
    const refusal = new Error("invalid API key");
    const admitted = createRequestAdmission(() => Promise.reject(refusal), budget, 48 * MiB).admit(
      request(8 * MiB),
      new EventEmitter() as unknown as NodeResponse,
    );
    await expect(admitted).rejects.toBe(refusal);
    expect(budget.bytesInFlight).toBe(0);
  });
});
