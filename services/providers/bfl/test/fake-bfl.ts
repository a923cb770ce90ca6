import type { ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import {
  createFakeServer,
  sendJson,
  sendCutOff,
  sendMalformed,
  sendSlowBody,
  testImage,
  type ContractFake,
  type FakeBehaviour,
  type RecordedRequest,
} from "@imagegen/provider-kit/testing";

type Validator = (body: Record<string, unknown>) => Array<{ loc: string[]; msg: string; type: string }>;

const sized =
  (min: number, max: number, multiple: number): Validator =>
  (body) =>
    (["width", "height"] as const).flatMap((field) => {
      const value = body[field];
      if (value === undefined) return [];
      if (typeof value !== "number" || value < min)
        return [
          { loc: ["body", field], msg: `Input should be greater than or equal to ${min}`, type: "greater_than_equal" },
        ];
      if (value > max)
        return [{ loc: ["body", field], msg: `Input should be less than or equal to ${max}`, type: "less_than_equal" }];
      if (value % multiple)
        return [{ loc: ["body", field], msg: `Input should be a multiple of ${multiple}`, type: "multiple_of" }];
      return [];
    });
const needs =
  (...fields: string[]): Validator =>
  (body) =>
    fields
      .filter((f) => body[f] === undefined || body[f] === "")
      .map((f) => ({ loc: ["body", f], msg: "Field required", type: "missing" }));
const FORMAT: Validator = (body) =>
  body.output_format === undefined || ["jpeg", "png", "webp"].includes(String(body.output_format))
    ? []
    : [{ loc: ["body", "output_format"], msg: "Input should be 'jpeg', 'png' or 'webp'", type: "enum" }];

const MODELS: Record<string, Validator[]> = {
  "flux-pro-1.1": [sized(256, 1440, 32), FORMAT],
  "flux-dev": [needs("prompt"), sized(256, 1440, 32), FORMAT],
  "flux-pro-1.0-fill": [needs("image"), FORMAT],
};

interface Task {
  readonly id: string;
  readonly format: string;
  readonly behaviour?: FakeBehaviour;
  polls: number;
}

/** Options of the fake: the key it accepts, polls before Ready, and how long result URLs live. */
export interface FakeBflOptions {
  readonly key: string;
  readonly pendingPolls?: number;
  /** Lifetime of a result.sample URL; default 10 minutes, as BFL's. */
  readonly sampleTtlMs?: number;
}

/**
 * A fake api.bfl.ai speaking the real FLUX API (bfl.md §5): `x-key` auth, per-model FastAPI 422
 * validation, submit answers whose `polling_url` points at a different path
 * (/regional/us2/v1/get_result) — the submit host's own /v1/get_result does not know the task, so
 * a client that builds the URL itself fails — Pending with rising progress, then Ready with an
 * expiring signed `result.sample` served under /delivery/, moderation statuses, scriptable errors.
 */
export async function startFakeBfl(
  options: FakeBflOptions,
): Promise<
  ContractFake & { polls: () => number; deliveries: RecordedRequest[]; endWith(status: string | undefined): void }
> {
  const tasks = new Map<string, Task>();
  const scripts: Array<FakeBehaviour & { left: number }> = [];
  const deliveries: RecordedRequest[] = [];
  let submissions = 0;
  let polls = 0;
  let lastPollAt = 0;
  // When set, every task ends with this status instead of Ready (Error, Request Moderated, ...).
  let terminal: string | undefined;
  const issued = new Map<string, number>();
  const images = { jpeg: await testImage("jpeg"), png: await testImage("png"), webp: await testImage("webp") };

  const server = await createFakeServer((req, res) => {
    const url = new URL(req.path, "http://fake");
    if (req.method === "GET" && url.pathname.startsWith("/delivery/")) return deliver(req, res, url);
    if (req.headers["x-key"] !== options.key) return sendJson(res, 403, { detail: "Not authenticated" });
    if (req.method === "GET" && url.pathname === "/regional/us2/v1/get_result")
      return result(res, url.searchParams.get("id") ?? "");
    // The submit host's own get_result never knows tasks here: polling_url must be followed.
    if (req.method === "GET" && url.pathname === "/v1/get_result")
      return sendJson(res, 200, { id: url.searchParams.get("id"), status: "Task not found" });
    const model = /^\/v1\/([a-z0-9.-]+)$/.exec(url.pathname)?.[1];
    if (req.method === "POST" && model) return submit(req, res, model);
    sendJson(res, 404, { detail: "Not Found" });
  });

  function submit(req: RecordedRequest, res: ServerResponse, model: string): void {
    submissions++;
    const script = scripts[0];
    if (script && --script.left <= 0) scripts.shift();
    if (script?.kind === "status") return scriptedStatus(res, script.status, script.retryAfterSeconds);
    if (script?.kind === "slow-body") return sendSlowBody(res);
    if (script?.kind === "malformed") return sendMalformed(res);
    if (script?.kind === "cut-off") return sendCutOff(res);
    const validators = MODELS[model];
    if (!validators) return sendJson(res, 404, { detail: "Not Found" });
    const body = (req.json ?? {}) as Record<string, unknown>;
    const detail = validators.flatMap((v) => v(body));
    if (detail.length) return sendJson(res, 422, { detail });
    const id = randomUUID();
    tasks.set(id, { id, format: String(body.output_format ?? "jpeg"), behaviour: script, polls: 0 });
    sendJson(res, 200, {
      id,
      polling_url: `${server.baseUrl}/regional/us2/v1/get_result?id=${id}`,
      cost: 4,
      input_mp: 0,
      output_mp: 1.05,
    });
  }

  function result(res: ServerResponse, id: string): void {
    polls++;
    lastPollAt = Date.now();
    const task = tasks.get(id);
    if (!task) return sendJson(res, 200, { id, status: "Task not found", result: null });
    task.polls++;
    const kind = task.behaviour?.kind;
    if (kind === "hang" || task.polls <= (options.pendingPolls ?? 2)) {
      return sendJson(res, 200, {
        id,
        status: "Pending",
        result: null,
        progress: Math.min(0.9, task.polls / 4),
        details: null,
        preview: null,
      });
    }
    if (terminal) return sendJson(res, 200, { id, status: terminal, result: null, details: { reason: "scripted" } });
    if (kind === "moderated")
      return sendJson(res, 200, {
        id,
        status: "Content Moderated",
        result: null,
        details: { "Moderation Reasons": ["Sexual"] },
      });
    if (kind === "empty")
      return sendJson(res, 200, { id, status: "Ready", result: {}, progress: null, details: null, preview: null });
    const sig = randomUUID();
    issued.set(sig, Date.now());
    const sample = `${server.baseUrl}/delivery/us2/results/${id}/sample.${task.format}?se=2026-01-01&sig=${sig}`;
    sendJson(res, 200, {
      id,
      status: "Ready",
      result: { sample, seed: 1234567890, prompt: "" },
      progress: null,
      details: null,
      preview: null,
    });
  }

  function deliver(req: RecordedRequest, res: ServerResponse, url: URL): void {
    deliveries.push(req);
    const issuedAt = issued.get(url.searchParams.get("sig") ?? "");
    if (issuedAt === undefined || Date.now() - issuedAt > (options.sampleTtlMs ?? 600_000)) {
      res.writeHead(403, { "content-type": "application/xml" });
      return void res.end("<Error><Code>AuthenticationFailed</Code></Error>");
    }
    const format = url.pathname.split(".").pop() as keyof typeof images;
    res.writeHead(200, { "content-type": `image/${format}` });
    res.end(images[format] ?? images.jpeg);
  }

  function scriptedStatus(res: ServerResponse, status: number, retryAfter?: number): void {
    const details: Record<number, string> = {
      400: `Bad request for key ${options.key}`,
      401: "Not authenticated",
      402: "Insufficient credits",
      403: "Forbidden: this key has no access to the model",
      404: "Not Found",
      429: "Too many active tasks",
      500: "Internal Server Error",
      503: "Service Unavailable",
    };
    const body =
      status === 422
        ? {
            detail: [
              { loc: ["body", "prompt"], msg: "String should have at most 10000 characters", type: "string_too_long" },
            ],
          }
        : { detail: details[status] ?? `status ${status}` };
    sendJson(res, status, body, retryAfter === undefined ? {} : { "retry-after": String(retryAfter) });
  }

  return {
    ...server,
    deliveries,
    polls: () => polls,
    endWith: (status) => void (terminal = status),
    script: (behaviour) =>
      scripts.push({ ...behaviour, left: behaviour.kind === "status" ? (behaviour.times ?? 1) : 1 }),
    reset: () => void scripts.splice(0),
    submissions: () => submissions,
    // No cancel endpoint: a stop is polling that stays quiet well past the suite's 50 ms poll cap.
    async sawStop() {
      for (;;) {
        const seen = polls;
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (polls === seen && Date.now() - lastPollAt >= 500) return;
      }
    },
  };
}
