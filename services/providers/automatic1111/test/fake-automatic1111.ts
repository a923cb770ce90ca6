import type { ServerResponse } from "node:http";
import {
  createFakeServer,
  sendJson,
  sendCutOff,
  sendMalformed,
  sendSlowBody,
  type ContractFake,
  type FakeBehaviour,
  type RecordedRequest,
} from "@imagegen/provider-kit/testing";
import sharp from "sharp";

/** Options of the fake WebUI. */
export interface FakeA1111Options {
  /** `--api-auth user:pass` (HTTP Basic), or a token a reverse proxy checks (Bearer); undefined = no auth. */
  readonly credential?: string;
  /** The "return grid" option: prepend a grid when a batch has several images. */
  readonly grid?: boolean;
}

const SAMPLERS = ["Euler a", "Euler", "DPM++ 2M", "DPM++ SDE", "DDIM"];
const CHECKPOINTS = ["sd_xl_base_1.0", "v1-5-pruned-emaonly"];
const INTEGER_FIELDS = ["seed", "steps", "width", "height", "batch_size", "n_iter"];

/**
 * A fake AUTOMATIC1111 WebUI API (automatic1111.md §7): txt2img/img2img with all-optional JSON
 * fields, `batch_size × n_iter` real PNGs as base64 without prefix, seeds `seed + i` reported in
 * a doubly-encoded `info`, optional grid, requests serialised by one lock, optional Basic/Bearer
 * auth, `/interrupt` releasing a running job, its two error shapes, `X-Process-Time`.
 */
export async function startFakeA1111(
  options: FakeA1111Options = {},
): Promise<ContractFake & { renders: Record<string, unknown>[] }> {
  const scripts: Array<FakeBehaviour & { left: number }> = [];
  const renders: Record<string, unknown>[] = [];
  let submissions = 0;
  let queue: Promise<void> = Promise.resolve();
  let interrupt: () => void = () => undefined;
  let interrupted: Promise<void> = Promise.resolve();
  let sawInterrupt: () => void = () => undefined;

  const server = await createFakeServer(async (req, res) => {
    res.setHeader("x-process-time", "0.01");
    if (options.credential && req.headers.authorization !== expectedAuthorization(options.credential)) {
      return envelope(res, 401, "HTTPException", "Incorrect username or password");
    }
    const path = new URL(req.path, "http://fake").pathname;
    if (req.method === "GET" && path === "/sdapi/v1/samplers")
      return sendJson(
        res,
        200,
        SAMPLERS.map((name) => ({ name, aliases: [], options: {} })),
      );
    if (req.method === "GET" && path === "/sdapi/v1/sd-models")
      return sendJson(
        res,
        200,
        CHECKPOINTS.map((c) => ({ title: `${c}.safetensors`, model_name: c })),
      );
    if (req.method === "POST" && path === "/sdapi/v1/interrupt") {
      interrupt();
      sawInterrupt();
      return sendJson(res, 200, {});
    }
    if (req.method !== "POST" || (path !== "/sdapi/v1/txt2img" && path !== "/sdapi/v1/img2img"))
      return sendJson(res, 404, { detail: "Not Found" });
    submissions++;
    const script = scripts[0];
    if (script && --script.left <= 0) scripts.shift();
    // One job at a time, as the WebUI's queue lock does.
    const previous = queue;
    let release!: () => void;
    queue = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      await handle(req, res, path, script);
    } finally {
      release();
    }
  });

  async function handle(
    req: RecordedRequest,
    res: ServerResponse,
    path: string,
    script: FakeBehaviour | undefined,
  ): Promise<void> {
    switch (script?.kind) {
      case "status":
        return scriptedStatus(res, script.status, script.retryAfterSeconds);
      case "hang":
        interrupted = new Promise<void>((resolve) => (sawInterrupt = resolve));
        // Blocks the queue until interrupted or the client leaves; then answers what finished (nothing).
        await new Promise<void>((resolve) => {
          interrupt = resolve;
          res.once("close", resolve);
        });
        if (!res.destroyed) sendJson(res, 200, { images: [], parameters: {}, info: "{}" });
        return;
      case "slow-body":
        return sendSlowBody(res);
      case "malformed":
        return sendMalformed(res);
      case "cut-off":
        return sendCutOff(res);
    }
    const body = req.json;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return sendJson(res, 422, {
        detail: [{ loc: ["body"], msg: "value is not a valid dict", type: "type_error.dict" }],
      });
    }
    const fields = body as Record<string, unknown>;
    const typeErrors = INTEGER_FIELDS.filter((f) => fields[f] !== undefined && !Number.isInteger(fields[f]));
    if (typeErrors.length) {
      return sendJson(res, 422, {
        detail: typeErrors.map((f) => ({
          loc: ["body", f],
          msg: "value is not a valid integer",
          type: "type_error.integer",
        })),
      });
    }
    if (fields.sampler_name !== undefined && !SAMPLERS.includes(String(fields.sampler_name)))
      return envelope(res, 404, "HTTPException", "Sampler not found");
    if (path.endsWith("img2img")) {
      const init = fields.init_images;
      if (!Array.isArray(init) || init.length === 0) return envelope(res, 404, "HTTPException", "Init image not found");
      for (const image of [...init, ...(fields.mask === undefined ? [] : [fields.mask])]) {
        if (!(await decodes(String(image)))) return envelope(res, 500, "HTTPException", "Invalid encoded image");
      }
    }
    renders.push(fields);
    const width = Number(fields.width ?? 512);
    const height = Number(fields.height ?? 512);
    const count = script?.kind === "empty" ? 0 : Number(fields.batch_size ?? 1) * Number(fields.n_iter ?? 1);
    const requested = Number(fields.seed ?? -1);
    const seed = requested === -1 ? Math.floor(Math.random() * 4294967294) : requested;
    const seeds = Array.from({ length: count }, (_, i) => seed + i);
    const images = await Promise.all(seeds.map((s) => png(width, height, s)));
    const grid = options.grid && count > 1;
    if (grid) images.unshift(await png(width * count, height, 0));
    const info = {
      prompt: fields.prompt ?? "",
      all_prompts: seeds.map(() => fields.prompt ?? ""),
      seed,
      all_seeds: seeds,
      width,
      height,
      sampler_name: fields.sampler_name ?? "Euler a",
      steps: fields.steps ?? 50,
      batch_size: fields.batch_size ?? 1,
      index_of_first_image: grid ? 1 : 0,
      sd_model_name: "sd_xl_base_1.0",
    };
    sendJson(res, 200, {
      images: images.map((b) => b.toString("base64")),
      parameters: { ...fields, init_images: null, mask: null },
      info: JSON.stringify(info),
    });
  }

  function scriptedStatus(res: ServerResponse, status: number, retryAfter?: number): void {
    const headers: Record<string, string> = retryAfter === undefined ? {} : { "retry-after": String(retryAfter) };
    // 401/404/422/500 are the WebUI's own; the rest come from a reverse proxy in front of it.
    if (status === 422)
      return sendJson(
        res,
        422,
        { detail: [{ loc: ["body", "cfg_scale"], msg: "value is not a valid float", type: "type_error.float" }] },
        headers,
      );
    const rows: Record<number, [string, string]> = {
      400: ["HTTPException", `Bad request (proxy saw authorization Bearer ${options.credential ?? ""})`],
      401: ["HTTPException", "Incorrect username or password"],
      402: ["HTTPException", "Payment Required"],
      403: ["HTTPException", "Forbidden"],
      404: ["HTTPException", "Sampler not found"],
      429: ["HTTPException", "Too Many Requests"],
      500: ["OutOfMemoryError", "CUDA out of memory. Tried to allocate 2.00 GiB"],
      503: ["HTTPException", "Service Unavailable"],
    };
    const [error, detail] = rows[status] ?? ["RuntimeError", `status ${status}`];
    envelope(res, status, error, detail, headers);
  }

  return {
    ...server,
    renders,
    script: (behaviour) =>
      scripts.push({ ...behaviour, left: behaviour.kind === "status" ? (behaviour.times ?? 1) : 1 }),
    reset: () => void scripts.splice(0),
    submissions: () => submissions,
    // A stopped job is a POST /sdapi/v1/interrupt.
    sawStop: () => interrupted,
  };
}

/** The Authorization header the fake expects for a credential (Basic for user:pass, else Bearer). */
export function expectedAuthorization(credential: string): string {
  return credential.includes(":") ? `Basic ${Buffer.from(credential).toString("base64")}` : `Bearer ${credential}`;
}

function envelope(
  res: ServerResponse,
  status: number,
  error: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  const errors = error === "HTTPException" ? `${status}: ${detail}` : detail;
  sendJson(res, status, { error, detail: error === "HTTPException" ? detail : "", body: "", errors }, headers);
}

async function decodes(image: string): Promise<boolean> {
  const payload = image.startsWith("data:") ? image.slice(image.indexOf(",") + 1) : image;
  return sharp(Buffer.from(payload, "base64"))
    .metadata()
    .then(
      (m) => !!m.width,
      () => false,
    );
}

function png(width: number, height: number, seed: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: seed % 256, g: 90, b: 160 } } })
    .png()
    .toBuffer();
}
