import type { ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
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

/** How a model's outputs come back: a URL list, one URL string, or one data URI. */
export type OutputStyle = "list" | "single" | "data-uri";

interface FakeModel {
  readonly official: boolean;
  readonly version?: string;
  readonly output: OutputStyle;
  readonly ext: "png" | "webp" | "jpg";
  /** Finishes inside a `Prefer: wait` create (fast models), else advances one state per poll. */
  readonly fast: boolean;
  validate(input: Record<string, unknown>): Array<{ type: string; field: string; description: string }>;
}

const PROMPT_REQUIRED = (input: Record<string, unknown>) =>
  typeof input.prompt === "string" && input.prompt
    ? []
    : [{ type: "required", field: "input", description: "prompt is required" }];

const MODELS: Record<string, FakeModel> = {
  "stability-ai/sdxl": {
    official: false,
    version: "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b",
    output: "list",
    ext: "png",
    fast: false,
    validate: PROMPT_REQUIRED,
  },
  "black-forest-labs/flux-schnell": {
    official: true,
    output: "list",
    ext: "webp",
    fast: true,
    validate: (input) => [
      ...PROMPT_REQUIRED(input),
      ...(typeof input.num_inference_steps === "number" && input.num_inference_steps > 4
        ? [{ type: "number_lte", field: "input.num_inference_steps", description: "Must be less than or equal to 4" }]
        : []),
      ...(input.output_format !== undefined && !["webp", "jpg", "png"].includes(String(input.output_format))
        ? [
            {
              type: "enum",
              field: "input.output_format",
              description: 'output_format must be one of the following: "webp", "jpg", "png"',
            },
          ]
        : []),
    ],
  },
  "black-forest-labs/flux-1.1-pro": {
    official: true,
    output: "single",
    ext: "png",
    fast: false,
    validate: PROMPT_REQUIRED,
  },
  // Not in our catalog: reached only by seed 001's pass-through of "owner/name" references.
  "stability-ai/stable-diffusion-3.5-large": {
    official: true,
    output: "list",
    ext: "webp",
    fast: true,
    validate: PROMPT_REQUIRED,
  },
  "nightmareai/real-esrgan": {
    official: false,
    version: "42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b",
    output: "single",
    ext: "png",
    fast: false,
    validate: (input) =>
      typeof input.image === "string" ? [] : [{ type: "required", field: "input", description: "image is required" }],
  },
};

interface Job {
  prediction: Record<string, unknown>;
  model: FakeModel;
  behaviour?: FakeBehaviour;
  polls: number;
}

/** Options of the fake: the token it accepts, per-model output overrides, and its time scale. */
export interface FakeReplicateOptions {
  readonly token: string;
  readonly outputs?: Partial<Record<string, OutputStyle>>;
  /** Multiplies every `Prefer: wait` hold (1 = real seconds); tests make it small. */
  readonly waitScale?: number;
}

/**
 * A fake api.replicate.com speaking the real predictions protocol (replicate.md §7): create by
 * version and by official model with 422 problem+json for unknown keys and bad input, 201
 * prediction objects, `Prefer: wait` with `Preference-Applied`, starting → processing →
 * succeeded on polls with tqdm logs, cancel, outputs served under /delivery/, problem+json
 * errors (401, 402, 404, 422, 429 + Retry-After + ratelimit-*), scriptable per test.
 */
export async function startFakeReplicate(
  options: FakeReplicateOptions,
): Promise<ContractFake & { deliveries: RecordedRequest[]; creates: RecordedRequest[] }> {
  const jobs = new Map<string, Job>();
  const scripts: Array<FakeBehaviour & { left: number }> = [];
  const canceled = new Set<string>();
  const deliveries: RecordedRequest[] = [];
  const creates: RecordedRequest[] = [];
  let waiters: Array<() => boolean> = [];
  let lastId = "";
  const images = { png: await testImage("png"), webp: await testImage("webp"), jpg: await testImage("jpeg") };

  const server = await createFakeServer(async (req, res) => {
    const url = new URL(req.path, "http://fake");
    const path = url.pathname;
    if (req.method === "GET" && path.startsWith("/delivery/")) {
      deliveries.push(req);
      const ext = path.split(".").pop() as keyof typeof images;
      res.writeHead(200, { "content-type": `image/${ext === "jpg" ? "jpeg" : ext}` });
      return void res.end(images[ext] ?? images.png);
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return problem(res, 401, { title: "Unauthenticated", detail: "You did not pass a valid authentication token" });
    }
    const official = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path);
    if (req.method === "POST" && (path === "/v1/predictions" || official)) {
      creates.push(req);
      return create(req, res, official ? `${official[1]}/${official[2]}` : undefined);
    }
    const cancel = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(path);
    const get = /^\/v1\/predictions\/([^/]+)$/.exec(path);
    const job = jobs.get((cancel ?? get)?.[1] ?? "");
    if (!job) return problem(res, 404, { detail: "The requested resource could not be found" });
    if (req.method === "POST" && cancel) {
      if (!["succeeded", "failed", "canceled"].includes(String(job.prediction.status))) {
        Object.assign(job.prediction, {
          status: "canceled",
          output: null,
          logs: null,
          completed_at: now(),
          metrics: { total_time: 1 },
        });
      }
      canceled.add(job.prediction.id as string);
      waiters = waiters.filter((stopped) => !stopped());
      return sendJson(res, 200, job.prediction);
    }
    if (req.method === "GET" && get) {
      advance(job);
      return sendJson(res, 200, job.prediction);
    }
    return problem(res, 404, { detail: "Not found" });
  });

  async function create(req: RecordedRequest, res: ServerResponse, officialName: string | undefined): Promise<void> {
    const script = scripts[0];
    if (script && --script.left <= 0) scripts.shift();
    const behaviour: FakeBehaviour | undefined = script;
    if (behaviour?.kind === "status") return scriptedStatus(res, behaviour.status, behaviour.retryAfterSeconds);
    if (behaviour?.kind === "slow-body") return sendSlowBody(res, 201);
    if (behaviour?.kind === "malformed") return sendMalformed(res, 201);
    if (behaviour?.kind === "cut-off") return sendCutOff(res, 201);
    const body = (req.json ?? {}) as Record<string, unknown>;
    const allowed = officialName
      ? ["input", "webhook", "webhook_events_filter", "stream"]
      : ["version", "input", "webhook", "webhook_events_filter", "stream"];
    const invalid = Object.keys(body)
      .filter((k) => !allowed.includes(k))
      .map((k) => ({
        type: "additional_property_not_allowed",
        field: "",
        description: `Additional property ${k} is not allowed`,
      }));
    if (!officialName && typeof body.version !== "string")
      invalid.unshift({ type: "required", field: "", description: "version is required" });
    if (typeof body.input !== "object" || body.input === null)
      invalid.push({ type: "required", field: "", description: "input is required" });
    if (invalid.length) return validationFailed(res, invalid);
    const name = officialName ?? Object.keys(MODELS).find((n) => MODELS[n]?.version === body.version);
    const model = name ? MODELS[name] : undefined;
    if (!model || (officialName && !model.official)) {
      return officialName
        ? problem(res, 404, { detail: `The model ${officialName} does not exist or is not an official model` })
        : problem(res, 422, {
            title: "Invalid version or not permitted",
            detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
          });
    }
    const inputErrors = model.validate(body.input as Record<string, unknown>);
    if (inputErrors.length) return validationFailed(res, inputErrors);
    const id = randomBytes(13).toString("hex").slice(0, 26);
    lastId = id;
    const base = `http://${req.headers.host}`;
    const job: Job = {
      model: { ...model, output: options.outputs?.[name!] ?? model.output },
      behaviour,
      polls: 0,
      prediction: {
        id,
        model: name,
        version: model.version ?? "hidden",
        input: body.input,
        logs: "",
        output: null,
        error: null,
        status: "starting",
        created_at: now(),
        data_removed: false,
        urls: {
          get: `${base}/v1/predictions/${id}`,
          cancel: `${base}/v1/predictions/${id}/cancel`,
          web: `https://replicate.com/p/${id}`,
        },
      },
    };
    jobs.set(id, job);
    const wait = /^wait(?:=(\d+))?$/.exec(String(req.headers.prefer ?? ""));
    const headers: Record<string, string> = {
      location: `${base}/v1/predictions/${id}`,
      "ratelimit-remaining": "599",
      "ratelimit-reset": "1",
    };
    if (wait) {
      const seconds = Math.min(60, Number(wait[1] ?? 60));
      headers["preference-applied"] = `wait=${seconds}`;
      if (model.fast && behaviour === undefined) finishJob(job);
      else if (behaviour?.kind === "hang" || !model.fast) await holdFor(seconds * (options.waitScale ?? 1) * 1000, res);
    }
    sendJson(res, 201, job.prediction, headers);
  }

  function advance(job: Job): void {
    if (["succeeded", "failed", "canceled"].includes(String(job.prediction.status)) || job.behaviour?.kind === "hang")
      return;
    job.polls++;
    if (job.prediction.status === "starting") {
      Object.assign(job.prediction, {
        status: "processing",
        started_at: now(),
        logs: `Using seed: 42069\n 10%|█         | 5/50 [00:00<00:04, 10.1it/s]\n`,
      });
    } else finishJob(job);
  }

  function finishJob(job: Job): void {
    const id = job.prediction.id as string;
    const count = Number((job.prediction.input as Record<string, unknown>).num_outputs ?? 1);
    const urls = Array.from(
      { length: count },
      (_, i) => `http://${"127.0.0.1"}:${port()}/delivery/pbxt/${id}/out-${i}.${job.model.ext}`,
    );
    const output =
      job.behaviour?.kind === "empty"
        ? []
        : job.model.output === "list"
          ? urls
          : job.model.output === "single"
            ? urls[0]
            : `data:image/png;base64,${images.png.toString("base64")}`;
    const failed = job.behaviour?.kind === "moderated";
    Object.assign(job.prediction, {
      status: failed ? "failed" : "succeeded",
      output: failed ? null : output,
      error: failed
        ? "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
        : null,
      logs: `Using seed: 42069\n100%|██████████| 50/50 [00:05<00:00, 9.9it/s]\n`,
      completed_at: now(),
      metrics: { predict_time: 5.524512, total_time: 5.6 },
    });
  }

  function scriptedStatus(res: ServerResponse, status: number, retryAfter?: number): void {
    const bodies: Record<number, object> = {
      400: { title: "Bad request", detail: `Malformed request sent with Authorization: Bearer ${options.token}` },
      401: { title: "Unauthenticated", detail: "You did not pass a valid authentication token" },
      402: {
        title: "Insufficient credit",
        detail:
          "You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit.",
      },
      403: { title: "Forbidden", detail: "You do not have permission to run this model" },
      404: { detail: "The requested resource could not be found" },
      422: {
        detail: '- input.output_format: output_format must be one of the following: "jpg", "png"\n',
        title: "Input validation failed",
        invalid_fields: [
          {
            type: "enum",
            field: "input.output_format",
            description: 'output_format must be one of the following: "jpg", "png"',
          },
        ],
      },
      429: {
        title: "Request was throttled",
        detail: `Request was throttled. Expected available in ${retryAfter ?? 1} seconds.`,
      },
      500: { title: "Internal server error", detail: "Something went wrong" },
      503: { title: "Service unavailable", detail: "Replicate is temporarily unavailable" },
    };
    const headers: Record<string, string> =
      status === 429 ? { "ratelimit-remaining": "0", "ratelimit-reset": String(retryAfter ?? 1) } : {};
    if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
    problem(res, status, bodies[status] ?? { detail: `status ${status}` }, headers);
  }

  const port = () => new URL(server.baseUrl).port;
  return {
    ...server,
    deliveries,
    creates,
    script: (behaviour) =>
      scripts.push({ ...behaviour, left: behaviour.kind === "status" ? (behaviour.times ?? 1) : 1 }),
    reset: () => void scripts.splice(0),
    submissions: () => creates.length,
    sawStop: () =>
      new Promise<void>((resolve) => {
        const stopped = (): boolean => (canceled.has(lastId) ? (resolve(), true) : false);
        if (!stopped()) waiters.push(stopped);
      }),
  };
}

function problem(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  sendJson(res, status, { ...body, status }, headers, "application/problem+json");
}

function validationFailed(
  res: ServerResponse,
  fields: Array<{ type: string; field: string; description: string }>,
): void {
  const detail = fields.map((f) => `- ${f.field ? `${f.field}: ` : ""}${f.description}\n`).join("");
  problem(res, 422, { detail, title: "Input validation failed", invalid_fields: fields });
}

// Holds a sync-mode create open, but lets go at once if the client hangs up.
function holdFor(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function now(): string {
  return new Date().toISOString();
}
