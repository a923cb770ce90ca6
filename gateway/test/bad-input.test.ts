import { once } from "node:events";
import { readdir, readFile, writeFile } from "node:fs/promises";
import * as http2 from "node:http2";
import { connect as tcpConnect } from "node:net";
import { createGzip, deflateSync } from "node:zlib";
import {
  fromJson,
  ScalarType,
  toBinary,
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescOneof,
  type JsonObject,
  type JsonValue,
} from "@bufbuild/protobuf";
import fc from "fast-check";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_SERVICES, publicRegistry } from "../src/public-services.ts";
import { createRouteTable } from "../src/rest/route-table.ts";
import { bombPng, openAiMask, pngChunk, samplePng } from "./compat-fixtures.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// The rule for everything below: bad input is the client's fault, so it gets a 4xx in the
// surface's documented shape — never a 5xx (except the contract's 501 for RPCs a later release
// fills in), never a crash, never a hang. After each property the system must still be healthy.

let system: RunningSystem;
/** A valid 96×64 RGBA PNG, half transparent: an input image and an OpenAI mask alike. */
let png: Buffer;
beforeAll(async () => {
  system = await startSystem();
  png = await openAiMask(96, 64);
});
afterAll(() => system?.stop());

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });
/** Property runs, scaled by BAD_INPUT_RUNS_SCALE for a longer soak (e.g. 10) when hunting. */
const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env.BAD_INPUT_RUNS_SCALE ?? 1)));
/** Every request is bounded: a hang fails the test instead of stalling it. */
const REQUEST_TIMEOUT_MS = 15_000;
/** gRPC codes that mean "the server failed" (HTTP 5xx): UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
const SERVER_FAULT_GRPC = new Set([2, 4, 13, 14, 15]);

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly ms: number;
}

async function send(path: string, init: RequestInit): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(system.baseUrl + path, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, ms: performance.now() - started };
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await send(path, { method: "POST", headers: { ...auth(), ...headers }, body });
  return { status: res.status, text: res.body.toString() };
}

/** The grpc-status of a gRPC-Web answer: in the headers (trailers-only) or its trailer frame. */
function grpcWebStatus(answer: Answer): number | undefined {
  const header = answer.headers.get("grpc-status");
  if (header !== null) return Number(header);
  for (let at = 0; at + 5 <= answer.body.length; ) {
    const flags = answer.body[at] as number;
    const length = answer.body.readUInt32BE(at + 1);
    const data = answer.body.subarray(at + 5, at + 5 + length);
    if (flags & 0x80) return Number(/grpc-status:\s*(\d+)/i.exec(data.toString())?.[1] ?? NaN);
    at += 5 + length;
  }
  return undefined;
}

/** Fails with the request and the answer when the server blamed itself for bad input. */
function expectClientFault(what: string, answer: Answer): void {
  const grpc = /^application\/grpc/.test(answer.headers.get("content-type") ?? "") ? grpcWebStatus(answer) : undefined;
  const serverFault =
    (answer.status >= 500 && answer.status !== 501) || (grpc !== undefined && SERVER_FAULT_GRPC.has(grpc));
  expect(
    serverFault,
    `${what} → ${answer.status} grpc-status ${grpc}: ${answer.body.toString("latin1").slice(0, 300)}`,
  ).toBe(false);
}

let logMark = 0;
/** Ready, a normal generation still works, and nothing was logged as an unhandled failure. */
async function expectHealthy(): Promise<void> {
  expect((await send("/readyz", {})).status).toBe(200);
  const res = await send("/api/v2/generate/text-to-image", {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify({
      prompt: "a lighthouse",
      model: "local",
      parameters: { width: 64, height: 64, num_outputs: 1 },
    }),
  });
  expect(res.status, res.body.toString()).toBe(200);
  const logs = system.output().slice(logMark);
  logMark = system.output().length;
  expect(logs).not.toMatch(/unhandled edge error|handler for rpc .* failed|uncaught|unhandledRejection/i);
}

// ---------------------------------------------------------------------------------------------
// Valid messages of every procedure, built from the descriptors: the seeds of truncations and
// mutations. Strings get plausible values (a real image where the field takes one), so mutated
// copies reach validation and the providers, not only the parser.
// ---------------------------------------------------------------------------------------------

const NUMBERS: Record<string, number> = { width: 64, height: 64, num_outputs: 1, page_size: 2 };

function sampleScalar(field: DescField, tinyPngDataUrl: string): JsonValue {
  switch (field.scalar) {
    case undefined:
      return null;
    case ScalarType.STRING:
      if (/image/.test(field.name)) return tinyPngDataUrl;
      if (field.name === "model") return "local";
      if (field.name === "prompt") return "a lighthouse";
      return "x";
    case ScalarType.BOOL:
      return true;
    case ScalarType.BYTES:
      return "AAEC";
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return 1.5;
    default:
      return NUMBERS[field.name] ?? 1;
  }
}

function sampleMessageJson(desc: DescMessage, image: string, depth = 0): JsonValue {
  switch (desc.typeName) {
    case "google.protobuf.Struct":
      return { key: "value" };
    case "google.protobuf.Value":
      return "value";
    case "google.protobuf.Timestamp":
      return "2026-01-01T00:00:00Z";
    case "google.protobuf.Duration":
      return "1s";
    case "google.protobuf.FieldMask":
      return "name";
  }
  if (desc.typeName.startsWith("google.protobuf.")) return null;
  const out: JsonObject = {};
  const oneofs = new Set<DescOneof>();
  for (const field of desc.fields) {
    if (field.oneof) {
      if (oneofs.has(field.oneof)) continue;
      oneofs.add(field.oneof);
    }
    const one = (): JsonValue => {
      if (field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")) {
        const values = (field.enum as NonNullable<DescField["enum"]>).values;
        return (values[1] ?? values[0])?.name ?? null;
      }
      if (field.message) return depth < 3 ? sampleMessageJson(field.message, image, depth + 1) : null;
      return sampleScalar(field, image);
    };
    const value = one();
    if (value === null) continue;
    if (field.fieldKind === "list") out[field.jsonName] = [value];
    else if (field.fieldKind === "map")
      out[field.jsonName] = { [field.mapKey === ScalarType.STRING ? "key" : "1"]: value };
    else out[field.jsonName] = value;
  }
  return out;
}

interface Procedure {
  readonly path: string;
  readonly method: DescMethod;
  readonly streaming: boolean;
  readonly json: JsonObject;
  readonly binary: Uint8Array;
}

function procedures(image: string): Procedure[] {
  return PUBLIC_SERVICES.flatMap((service) =>
    service.methods.map((method) => {
      const json = sampleMessageJson(method.input, image) as JsonObject;
      const message = fromJson(method.input, json, { registry: publicRegistry });
      return {
        path: `/${service.typeName}/${method.name}`,
        method,
        streaming: method.methodKind !== "unary",
        json,
        binary: toBinary(method.input, message),
      };
    }),
  );
}

/** A length-prefixed message (gRPC, gRPC-Web and Connect streaming share the framing). */
function envelope(payload: Uint8Array, flags = 0, declared = payload.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(declared >>> 0, 1);
  return Buffer.concat([head, payload]);
}

/** gzip of `size` zero bytes, compressed a MiB at a time (the test never holds the inflated bytes). */
async function gzipOfZeros(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on("data", (c: Buffer) => chunks.push(c));
  const mib = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += mib.length) {
    if (!gzip.write(mib)) await once(gzip, "drain");
  }
  gzip.end();
  await once(gzip, "end");
  return Buffer.concat(chunks);
}

const bytes = (max = 512) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));

describe("REST and the transcoded routes", () => {
  it.each([
    ["invalid JSON", "{not json", "application/json", 400],
    ["a JSON array", "[1,2]", "application/json", 400],
    ["the wrong content type", "prompt=x", "application/x-www-form-urlencoded", 400],
    ["an unknown field", '{"prompt":"x","nope":1}', "application/json", 400],
    ["a wrong field type", '{"prompt":42}', "application/json", 400],
    ["an out-of-range enum", '{"prompt":"x","output":{"format":"gif"}}', "application/json", 400],
  ])("%s is refused in the envelope", async (_, body, type, status) => {
    const res = await post("/api/v2/generate/text-to-image", body, { "content-type": type });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).error.code).toBe("INVALID_REQUEST");
  });

  it("refuses a body over the limit with 413 naming it", async () => {
    const res = await post("/api/v2/generate/text-to-image", "x".repeat(49 * 1024 * 1024), {
      "content-type": "application/json",
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { limit_bytes: String(48 * 1024 * 1024) },
    });
  });

  it("survives random bodies, content types and paths on every REST route", async () => {
    const routes = createRouteTable(PUBLIC_SERVICES).routes;
    const route = fc.constantFrom(...routes);
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b).toString("latin1")),
    );
    const type = fc.constantFrom(
      "application/json",
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/json; charset=utf-16",
      "",
    );
    const segment = fc.oneof(fc.constant("gen_x"), fc.string({ maxLength: 20 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(route, body, type, segment, async (r, b, t, s) => {
        const path = r.template.source.replace(/\{[^}]+\}/g, s || "x");
        const res = await send(path, {
          method: r.httpMethod,
          headers: { ...auth(), ...(t ? { "content-type": t } : {}) },
          body: r.httpMethod === "GET" || r.httpMethod === "DELETE" ? undefined : b,
        });
        expectClientFault(`${r.httpMethod} ${path}`, res);
      }),
      { numRuns: runs(150) },
    );
    await expectHealthy();
  });
});

// Every route a client can reach over plain HTTP: the transcoded REST routes and each compat
// profile's paths (seed 000–003, the OpenAI Images API).
const COMPAT_ROUTES: ReadonlyArray<readonly [string, string]> = [
  ["POST", "/api/generate/local"],
  ["POST", "/api/generate/no-such-provider"],
  ["POST", "/api/v1/images/generate"],
  ["POST", "/api/text2image/generate"],
  ["POST", "/api/generate"],
  ["GET", "/api/models"],
  ["POST", "/api/variation"],
  ["POST", "/v1/images/generations"],
  ["POST", "/v1/images/edits"],
  ["POST", "/v1/images/variations"],
  ["GET", "/v1/models"],
  ["GET", "/v1/models/local"],
];

function httpRoutes(): Array<readonly [string, string]> {
  const rest = createRouteTable(PUBLIC_SERVICES).routes.map(
    (r) => [r.httpMethod, r.template.source.replace(/\{[^}]+\}/g, "x")] as const,
  );
  return [...rest, ...COMPAT_ROUTES];
}

/** Headers a confused or hostile client sends: bad credentials, huge values, duplicates. */
const hostileHeaders = fc.record(
  {
    authorization: fc.constantFrom(
      "Bearer",
      "Bearer ",
      "Bearer  a b",
      "bearer test-admin-key-0123456789",
      "Basic dXNlcjpwYXNz",
      "Token test-admin-key-0123456789",
      `Bearer ${"k".repeat(6000)}`,
      "Bearer \u00ff\u00fe",
      "",
    ),
    "x-api-key": fc.constantFrom("", " ", "x".repeat(4000), "test-admin-key-0123456789, test-admin-key-0123456789"),
    "content-type": fc.constantFrom(
      "application/json",
      "application/json, application/json",
      "application/json, multipart/form-data; boundary=x",
      "multipart/form-data",
      "multipart/form-data; boundary=",
      `multipart/form-data; boundary=${"b".repeat(300)}`,
      "application/json; charset=latin1",
      "text/plain",
      "image/png",
    ),
    "x-request-id": fc.oneof(fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.constant("r".repeat(600))),
    "idempotency-key": fc.oneof(fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.constant("i".repeat(3000))),
    prefer: fc.constantFrom(
      "wait=abc",
      "wait=-1",
      "wait=99999999999999999999",
      "respond-async, wait=0",
      "return=minimal",
    ),
    traceparent: fc.constantFrom("00-zz-yy-01", "ff-00000000000000000000000000000000-0000000000000000-00", "garbage"),
    "content-encoding": fc.constantFrom("gzip", "br", "identity", "x-unknown"),
    // Over node's 16 KiB header limit (431) now and then; most requests must reach the handlers.
    "x-huge": fc.constantFrom("h".repeat(200), "h".repeat(2_000), "h".repeat(20_000)),
  },
  { requiredKeys: [] },
);

describe("compat profiles and hostile headers", () => {
  it("survives random bodies and hostile headers on every REST and compat route", async () => {
    const route = fc.constantFrom(...httpRoutes());
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      bytes(256).map((b) => b.toString("latin1")),
      // Plausible compat bodies with random values: reaches each profile's own parsing.
      fc
        .dictionary(
          fc.constantFrom(
            "prompt",
            "model",
            "n",
            "size",
            "num_images",
            "width",
            "height",
            "seeds",
            "seed",
            "quality",
            "image_url",
            "images",
            "mask",
            "response_format",
            "output_format",
            "useCache",
          ),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map((o) => JSON.stringify(o)),
    );
    let reachedHandlers = 0;
    await fc.assert(
      fc.asyncProperty(route, body, hostileHeaders, fc.boolean(), async ([method, path], b, headers, withKey) => {
        const h = new Headers(withKey ? auth() : {});
        for (const [name, value] of Object.entries(headers)) h.append(name, value);
        const res = await send(path, { method, headers: h, body: method === "GET" ? undefined : b });
        expectClientFault(`${method} ${path} ${JSON.stringify(Object.keys(headers))}`, res);
        if (res.status !== 431) reachedHandlers++;
      }),
      { numRuns: runs(200) },
    );
    expect(reachedHandlers).toBeGreaterThan(runs(200) / 2);
    await expectHealthy();
  });
});

describe("paths and query strings", () => {
  it("answers an OpenAI model id that is not valid percent-encoding with 400 in OpenAI's shape", async () => {
    for (const id of ["%", "%E0%A4%A", "%zz"]) {
      const res = await send(`/v1/models/${id}`, { headers: auth() });
      expect(res.status, id).toBe(400);
      expect(JSON.parse(res.body.toString()).error).toMatchObject({
        type: "invalid_request_error",
        code: "invalid_request",
        param: "model",
      });
    }
  });

  it("survives random, malformed and oversized path segments and query parameters on every route", async () => {
    const rest = createRouteTable(PUBLIC_SERVICES).routes.map((r) => ({
      method: r.httpMethod,
      template: r.template.source,
      params: r.method.input.fields.flatMap((f) => [f.name, f.jsonName]),
    }));
    const compat = [
      { method: "GET", template: "/v1/models/{id}", params: [] },
      { method: "POST", template: "/api/generate/{provider}", params: [] },
      ...COMPAT_ROUTES.map(([method, template]) => ({ method, template, params: [] as string[] })),
    ];
    const segment = fc.oneof(
      fc.constant("gen_x"),
      fc.string({ maxLength: 20, unit: "binary" }).map(encodeURIComponent),
      // Percent-encodings that do not decode, traversal, NUL, a verb separator, a very long id.
      fc.constantFrom(
        "%",
        "%zz",
        "%E0%A4%A",
        "%C0%AF",
        "%FF",
        "%00",
        "..%2F..%2Fetc%2Fpasswd",
        "a%2Fb",
        ":cancel",
        "%3Awatch",
        "x".repeat(5000),
      ),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
      fc.constantFrom("-1", "1e309", "NaN", "99999999999999999999", "%zz", "%E0%A4%A", "", "true", "x".repeat(3000)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...rest, ...compat).chain((r) =>
          fc.tuple(
            fc.constant(r),
            segment,
            fc.array(fc.tuple(fc.constantFrom(...r.params, "page_size", "x", "%zz", "a.b.c"), value), {
              maxLength: 4,
            }),
          ),
        ),
        async ([r, seg, query]) => {
          const path =
            r.template.replace(/\{[^}]+\}/g, seg) +
            (query.length ? `?${query.map(([k, v]) => `${k}=${v}`).join("&")}` : "");
          const res = await send(path, {
            method: r.method,
            headers: { ...auth(), "content-type": "application/json" },
            body: r.method === "GET" || r.method === "DELETE" ? undefined : "{}",
          });
          expectClientFault(`${r.method} ${path.slice(0, 200)}`, res);
        },
      ),
      { numRuns: runs(200) },
    );
    await expectHealthy();
  });
});

describe("Connect, gRPC-Web and gRPC procedures", () => {
  let all: Procedure[];
  beforeAll(async () => {
    const tiny = await samplePng(16, 16);
    all = procedures(`data:image/png;base64,${tiny.toString("base64")}`);
  });

  it("covers every procedure of every public service", () => {
    expect(all.length).toBe(PUBLIC_SERVICES.reduce((n, s) => n + s.methods.length, 0));
    expect(all.length).toBeGreaterThanOrEqual(30);
  });

  it("answers a GET of any procedure (none is marked side-effect free) without a 5xx", async () => {
    for (const p of all) {
      const query = `?encoding=proto&base64=1&message=${encodeURIComponent(Buffer.from(p.binary).toString("base64"))}&connect=v1`;
      const res = await send(p.path + query, { headers: auth() });
      expectClientFault(`GET ${p.path}`, res);
      expect(res.status, p.path).toBe(405);
    }
  });

  it("survives random, truncated and mutated Connect bodies, content types and protocol headers", async () => {
    const procedure = fc.constantFrom(...all);
    // What goes on the wire, given the procedure: [content-type, body].
    const payload = (p: Procedure) =>
      fc.oneof(
        fc.json().map((j) => ["json", Buffer.from(j)] as const),
        fc.jsonValue({ maxDepth: 3 }).map((v) => ["json", Buffer.from(JSON.stringify(v))] as const),
        fc
          .tuple(fc.constantFrom(...Object.keys(p.json), "unknownField"), fc.jsonValue({ maxDepth: 2 }))
          .map(([k, v]) => ["json", Buffer.from(JSON.stringify({ ...p.json, [k]: v }))] as const),
        fc.nat(p.binary.length).map((n) => ["proto", Buffer.from(p.binary.subarray(0, n))] as const),
        bytes().map((b) => ["proto", b] as const),
        fc.tuple(fc.nat(Math.max(0, p.binary.length - 1)), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
          const copy = Buffer.from(p.binary);
          if (copy.length) copy[at] = v;
          return ["proto", copy] as const;
        }),
        fc
          .tuple(
            bytes(64),
            fc.constantFrom(
              "text/plain",
              "application/xml",
              "application/protobuf",
              "application/json+proto",
              "",
              "application/connect+json",
            ),
          )
          .map(([b, t]) => [t, b] as const),
      );
    // Bad protocol headers stop a request before its body is read: a quarter of the runs have them.
    const badHeaders = fc.record(
      {
        "connect-protocol-version": fc.constantFrom("1", "2", "0", "", "abc", "1, 1"),
        "connect-timeout-ms": fc.constantFrom("abc", "-1", "1.5", "99999999999", " ", "0x10", "1e3"),
        "content-encoding": fc.constantFrom("gzip", "br", "zstd", "identity", "x-nope"),
        "connect-content-encoding": fc.constantFrom("gzip", "x-nope"),
        "connect-accept-encoding": fc.constantFrom("gzip", "x-nope", "*"),
      },
      { requiredKeys: [] },
    );
    const headers = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: badHeaders });
    await fc.assert(
      fc.asyncProperty(
        procedure.chain((p) => fc.tuple(fc.constant(p), payload(p))),
        headers,
        async ([p, [kind, body]], extra) => {
          // Streaming procedures take enveloped bodies under the connect+ content types.
          const type =
            kind === "json" || kind === "proto"
              ? p.streaming
                ? `application/connect+${kind}`
                : `application/${kind}`
              : kind;
          const wire = p.streaming && (kind === "json" || kind === "proto") ? envelope(body) : body;
          const res = await send(p.path, {
            method: "POST",
            headers: { ...auth(), ...(type ? { "content-type": type } : {}), ...extra },
            body: wire,
          });
          expectClientFault(`${p.path} ${type} ${JSON.stringify(extra)} ${body.toString("hex").slice(0, 80)}`, res);
        },
      ),
      { numRuns: runs(300) },
    );
    await expectHealthy();
  });

  it("refuses a gzip bomb (256 MiB of zeros in 256 KiB) on Connect and gRPC-Web without inflating it", async () => {
    const bomb = await gzipOfZeros(256 * 1024 * 1024);
    const path = "/imagegen.v1.ImageService/TextToImage";
    const answers = [
      await send(path, {
        method: "POST",
        headers: { ...auth(), "content-type": "application/json", "content-encoding": "gzip" },
        body: bomb,
      }),
      await send(path, {
        method: "POST",
        headers: { ...auth(), "content-type": "application/grpc-web+proto", "grpc-encoding": "gzip" },
        body: envelope(bomb, 1),
      }),
    ];
    for (const answer of answers) {
      expectClientFault("gzip bomb", answer);
      // Connect: resource_exhausted (the body is over the limit once inflated); gRPC-Web: the same code in its trailer.
      expect(answer.status === 429 || grpcWebStatus(answer) === 8, answer.body.toString("latin1").slice(0, 200)).toBe(
        true,
      );
    }
    await expectHealthy();
  });

  it("survives gRPC-Web frames with bad lengths, flags and payloads", async () => {
    const frame = (p: Procedure) =>
      fc.record({
        flags: fc.constantFrom(0, 0, 0, 1, 0x80, 0x7e),
        declared: fc.oneof(fc.constant(-1), fc.nat(1 << 20), fc.constant(0xffffffff)),
        payload: fc.oneof(
          bytes(256),
          fc.nat(p.binary.length).map((n) => Buffer.from(p.binary.subarray(0, n))),
          fc.constant(Buffer.from(p.binary)),
        ),
        cut: fc.oneof(fc.constant(-1), fc.nat(4)),
        extra: fc.oneof(fc.constant(Buffer.alloc(0)), bytes(16)),
      });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all).chain((p) => fc.tuple(fc.constant(p), frame(p))),
        fc.constantFrom(
          "application/grpc-web+proto",
          "application/grpc-web",
          "application/grpc-web-text",
          "application/grpc-web+json",
        ),
        fc.constantFrom(undefined, "gzip", "x-nope"),
        async ([p, f], type, encoding) => {
          let wire = Buffer.concat([
            envelope(f.payload, f.flags, f.declared < 0 ? f.payload.length : f.declared),
            f.extra,
          ]);
          if (f.cut >= 0) wire = wire.subarray(0, f.cut); // not even a whole frame header
          if (type === "application/grpc-web-text") wire = Buffer.from(wire.toString("base64"));
          const res = await send(p.path, {
            method: "POST",
            headers: {
              ...auth(),
              "content-type": type,
              "x-grpc-web": "1",
              ...(encoding ? { "grpc-encoding": encoding } : {}),
            },
            body: wire,
          });
          expectClientFault(`${p.path} ${type} ${encoding} ${wire.toString("hex").slice(0, 80)}`, res);
        },
      ),
      { numRuns: runs(200) },
    );
    await expectHealthy();
  });

  it("answers gRPC (h2) calls with malformed length prefixes with a client-fault status", async () => {
    const session = http2.connect(system.baseUrl);
    session.on("error", () => {});
    const call = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; grpc: number; message: string }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": path,
          "content-type": "application/grpc",
          te: "trailers",
          ...auth(),
          ...headers,
        });
        const timer = setTimeout(() => {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          reject(new Error(`gRPC call to ${path} hung`));
        }, REQUEST_TIMEOUT_MS);
        let status = 0;
        let grpc = NaN;
        let message = "";
        const read = (h: http2.IncomingHttpHeaders) => {
          if (h["grpc-status"] !== undefined) grpc = Number(h["grpc-status"]);
          if (h["grpc-message"] !== undefined) message = decodeURIComponent(String(h["grpc-message"]));
        };
        stream.on("response", (h) => ((status = Number(h[":status"])), read(h)));
        stream.on("trailers", read);
        stream.on("data", () => {});
        stream.on("close", () => (clearTimeout(timer), resolve({ status, grpc, message })));
        stream.on("error", () => {});
        stream.end(body);
      });
    try {
      const sample = all.find((p) => p.path.endsWith("/TextToImage")) as Procedure;
      const cases: Array<[string, Buffer, Record<string, string>?]> = [
        [
          "a length prefix longer than the body",
          Buffer.concat([envelope(Buffer.from(sample.binary), 0, sample.binary.length + 100)]),
        ],
        ["a length prefix shorter than the body", envelope(Buffer.from(sample.binary), 0, 3)],
        ["a 4 GiB length prefix", envelope(Buffer.from("abc"), 0, 0xffffffff)],
        ["half a frame header", Buffer.from([0, 0, 0])],
        ["random bytes as the message", envelope(Buffer.from("this is not protobuf \u00ff\u00fe\u0001"))],
        ["a truncated message", envelope(Buffer.from(sample.binary.subarray(0, Math.floor(sample.binary.length / 2))))],
        ["the compressed flag without an encoding", envelope(Buffer.from(sample.binary), 1)],
        ["gzip declared, the payload not gzip", envelope(Buffer.from(sample.binary), 1), { "grpc-encoding": "gzip" }],
        ["an unknown encoding", envelope(Buffer.from(sample.binary), 1), { "grpc-encoding": "x-nope" }],
        ["a malformed grpc-timeout", envelope(Buffer.from(sample.binary)), { "grpc-timeout": "soon" }],
        [
          "two messages to a unary method",
          Buffer.concat([envelope(Buffer.from(sample.binary)), envelope(Buffer.from(sample.binary))]),
        ],
        ["grpc+json with random text", envelope(Buffer.from("{nope")), { "content-type": "application/grpc+json" }],
      ];
      for (const [name, body, headers] of cases) {
        const res = await call(sample.path, body, headers);
        expect(res.status, name).toBe(200);
        expect(SERVER_FAULT_GRPC.has(res.grpc), `${name}: grpc-status ${res.grpc} ${res.message}`).toBe(false);
        expect(Number.isNaN(res.grpc), `${name}: no grpc-status`).toBe(false);
      }
      // And random frames on every procedure.
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...all), bytes(128), fc.nat(300), async (p, payload, declared) => {
          const res = await call(p.path, envelope(payload, 0, declared));
          expect(SERVER_FAULT_GRPC.has(res.grpc), `${p.path}: grpc-status ${res.grpc} ${res.message}`).toBe(false);
        }),
        { numRuns: runs(60) },
      );
    } finally {
      session.close();
    }
    await expectHealthy();
  });

  it("answers h2 requests with a bad :authority or :path with a 4xx (or a reset), never a crash", async () => {
    const session = http2.connect(system.baseUrl);
    session.on("error", () => {});
    const status = (headers: http2.OutgoingHttpHeaders) =>
      new Promise<number>((resolve) => {
        const stream = session.request({ ...auth(), "content-type": "application/json", ...headers });
        const timer = setTimeout(() => (stream.close(http2.constants.NGHTTP2_CANCEL), resolve(-1)), REQUEST_TIMEOUT_MS);
        let code = 0; // 0: reset before any answer
        stream.on("response", (h) => (code = Number(h[":status"])));
        stream.on("data", () => {});
        stream.on("error", () => {});
        stream.on("close", () => (clearTimeout(timer), resolve(code)));
        stream.end("{}");
      });
    try {
      for (const headers of [
        { ":method": "POST", ":path": "/imagegen.v1.ModelService/ListModels", ":authority": "[nope" },
        { ":method": "POST", ":path": "/imagegen.v1.ModelService/ListModels", ":authority": "a:99999" },
        { ":method": "OPTIONS", ":path": "*" },
        { ":method": "GET", ":path": "no-slash" },
        { ":method": "GET", ":path": "http://[nope/api/v2/models" },
      ]) {
        const code = await status(headers);
        expect(code === 0 || (code >= 400 && code < 500), `${JSON.stringify(headers)} → ${code}`).toBe(true);
      }
    } finally {
      session.close();
    }
    expect((await send("/healthz", {})).status).toBe(200);
    await expectHealthy();
  });

  it("drops an HTTP/2 connection that sends malformed frames, and keeps serving", async () => {
    const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    const frameHeader = (length: number, type: number, flags: number, stream: number) => {
      const head = Buffer.alloc(9);
      head.writeUIntBE(length, 0, 3);
      head[3] = type;
      head[4] = flags;
      head.writeUInt32BE(stream, 5);
      return head;
    };
    const malformed = [
      // SETTINGS whose length is not a multiple of 6 (FRAME_SIZE_ERROR).
      Buffer.concat([frameHeader(5, 0x4, 0, 0), Buffer.alloc(5)]),
      // A HEADERS frame on stream 0 (PROTOCOL_ERROR).
      Buffer.concat([frameHeader(0, 0x4, 0, 0), frameHeader(4, 0x1, 0x4, 0), Buffer.from([0x82, 0x86, 0x84, 0x41])]),
      // A HEADERS block that is not valid HPACK.
      Buffer.concat([
        frameHeader(0, 0x4, 0, 0),
        frameHeader(6, 0x1, 0x5, 1),
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      ]),
      // A frame far over the default 16 KiB maximum.
      Buffer.concat([frameHeader(0, 0x4, 0, 0), frameHeader(0xffffff, 0x0, 0, 1), Buffer.alloc(64)]),
    ];
    for (const frames of malformed) {
      const answer = await rawExchange(Buffer.concat([preface, frames]));
      // The server may answer SETTINGS / GOAWAY, but it must close the connection.
      expect(answer.closed).toBe(true);
    }
    await expectHealthy();
  });
});

/** Writes bytes on a fresh TCP connection and collects what comes back until it closes. */
function rawExchange(
  bytes: Buffer,
  options: { waitMs?: number; halfClose?: boolean } = {},
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = tcpConnect(system.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closed });
    };
    const timer = setTimeout(() => done(false), options.waitMs ?? 5_000);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => done(true));
    socket.on("error", () => {});
    socket.write(bytes, () => {
      if (options.halfClose) socket.end();
    });
  });
}

describe("malformed HTTP/1.1 on the wire", () => {
  const key = () => `Authorization: Bearer ${system.adminKey}\r\n`;
  const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? NaN);

  it.each([
    [
      "bad chunked encoding",
      () =>
        `POST /api/v2/generate/text-to-image HTTP/1.1\r\nHost: x\r\n${key()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      400,
      false,
    ],
    [
      "a chunk size larger than its data, then end",
      () =>
        `POST /v1/images/generations HTTP/1.1\r\nHost: x\r\n${key()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffff\r\n{"prompt":"x"}\r\n0\r\n\r\n`,
      undefined,
      true,
    ],
    [
      "Content-Length and Transfer-Encoding together",
      () =>
        `POST /api/v2/generate/text-to-image HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
      false,
    ],
    [
      "two different Content-Lengths",
      () =>
        `POST /api/v2/generate/text-to-image HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}`,
      400,
      false,
    ],
    [
      "a negative Content-Length",
      () => `POST /api/v2/generate/text-to-image HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}`,
      400,
      false,
    ],
    [
      "a header flood",
      () => `GET /api/v2/models HTTP/1.1\r\nHost: x\r\n${key()}${"X-Flood: y\r\n".repeat(20_000)}\r\n`,
      431,
      false,
    ],
    [
      "a header with a bad character",
      () => `GET /api/v2/models HTTP/1.1\r\nHost: x\r\nX-Bad\u0001: y\r\n\r\n`,
      400,
      false,
    ],
    ["an unknown HTTP version", () => `GET /api/v2/models HTTP/9.9\r\nHost: x\r\n\r\n`, undefined, false],
    ["a garbage request line", () => `\u0000\u0001\u0002 nonsense\r\n\r\n`, 400, false],
    [
      "a path escaping the image directory",
      () => `GET /images/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      404,
      false,
    ],
    [
      "a dot-dot image path",
      () => `GET /images/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      404,
      false,
    ],
    [
      "an absolute-form target with a broken host",
      () => `GET http://[nope/api/v2/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      400,
      false,
    ],
    [
      "an absolute-form target with a bad port",
      () => `GET http://a:99999/api/v2/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      400,
      false,
    ],
    ["the asterisk target", () => `OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 400, false],
    [
      "a scheme-relative target",
      () => `GET //evil.example/api/v2/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      404,
      false,
    ],
    [
      "an RPC over HTTP/1.0 without a Host",
      () =>
        `POST /imagegen.v1.ModelService/ListModels HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
      400,
      false,
    ],
    [
      "an RPC with a Host that is no authority",
      () =>
        `POST /imagegen.v1.ModelService/ListModels HTTP/1.1\r\nHost: [nope\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      400,
      false,
    ],
    [
      "duplicate content types",
      () =>
        `POST /api/v2/generate/text-to-image HTTP/1.1\r\nHost: x\r\n${key()}Content-Type: application/json\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      400,
      false,
    ],
  ])("%s gets a 4xx (or a closed connection), never a 5xx", async (_name, request, expected, halfClose) => {
    // halfClose: the client stops sending, so whatever the server still waits for never comes.
    const answer = await rawExchange(Buffer.from(request(), "latin1"), { halfClose });
    const status = statusOf(answer.text);
    if (expected !== undefined) expect(status, answer.text.slice(0, 200)).toBe(expected);
    else expect(Number.isNaN(status) || (status >= 400 && status < 500), answer.text.slice(0, 200)).toBe(true);
    // One request must never take the edge down.
    expect((await send("/healthz", {})).status).toBe(200);
  });

  it("a body shorter than its Content-Length, then a half-close, ends the request without harm", async () => {
    const body = '{"prompt":"a lighth';
    const request = `POST /api/v2/generate/text-to-image HTTP/1.1\r\nHost: x\r\n${key()}Content-Type: application/json\r\nContent-Length: 500\r\n\r\n${body}`;
    const answer = await rawExchange(Buffer.from(request), { halfClose: true });
    expect(answer.closed).toBe(true);
    const status = statusOf(answer.text);
    expect(Number.isNaN(status) || (status >= 400 && status < 500), answer.text.slice(0, 200)).toBe(true);
    await expectHealthy();
  });

  it("a body longer than its Content-Length: the rest is a bad next request, not a crash", async () => {
    const request = `POST /api/v2/generate/text-to-image HTTP/1.1\r\nHost: x\r\n${key()}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}{"prompt":"x"}\r\n\r\n`;
    const answer = await rawExchange(Buffer.from(request));
    const statuses = [...answer.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s).toBeLessThan(500);
    await expectHealthy();
  });
});

// ---------------------------------------------------------------------------------------------
// Multipart bodies on the routes that take them (seed 002/003, OpenAI edits and variations).
// ---------------------------------------------------------------------------------------------

const MULTIPART_ROUTES = ["/api/text2image/generate", "/api/generate", "/v1/images/edits", "/v1/images/variations"];

interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly type?: string;
  readonly data: Buffer;
}

/** A hand-written multipart body: any boundary, any part headers, optionally unterminated. */
function multipart(boundary: string, parts: readonly Part[], terminated = true): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += "\r\n";
    if (part.type !== undefined) head += `Content-Type: ${part.type}\r\n`;
    out.push(Buffer.from(`${head}\r\n`, "latin1"), part.data, Buffer.from("\r\n"));
  }
  if (terminated) out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

describe("multipart", () => {
  it("survives random parts, names, filenames, types and framing", async () => {
    const part = fc.record({
      name: fc.constantFrom(
        "image",
        "image[]",
        "mask",
        "prompt",
        "model",
        "n",
        "size",
        "num_images",
        "response_format",
        "seeds",
        "x",
      ),
      filename: fc.option(
        fc.constantFrom(
          "a.png",
          "../../../etc/passwd",
          "..\\..\\win.ini",
          "/abs/path.png",
          "",
          "%00.png",
          "a\u00e9.png",
        ),
        { nil: undefined },
      ),
      type: fc.option(
        fc.constantFrom(
          "image/png",
          "image/jpeg",
          "text/plain",
          "application/octet-stream",
          "image/svg+xml",
          "",
          "image/png; charset=x",
        ),
        { nil: undefined },
      ),
      data: fc.oneof(
        bytes(128),
        fc.constantFrom(Buffer.from("local"), Buffer.from("a lighthouse"), Buffer.from("2"), Buffer.alloc(0)),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MULTIPART_ROUTES),
        fc.array(part, { maxLength: 8 }),
        fc.constantFrom("xYz", "----b", "a".repeat(70)),
        fc.boolean(),
        fc.constantFrom(
          "multipart/form-data; boundary=BOUNDARY",
          "multipart/form-data",
          "multipart/form-data; boundary=",
          "multipart/form-data; boundary=other",
          "multipart/mixed; boundary=BOUNDARY",
        ),
        async (path, parts, boundary, terminated, type) => {
          const res = await send(path, {
            method: "POST",
            headers: { ...auth(), "content-type": type.replace("BOUNDARY", boundary) },
            body: multipart(boundary, parts, terminated),
          });
          expectClientFault(
            `${path} ${type} ${parts.map((p) => `${p.name}:${p.type}:${p.data.length}`).join(",")}`,
            res,
          );
        },
      ),
      { numRuns: runs(120) },
    );
    await expectHealthy();
  });

  it.each(MULTIPART_ROUTES)("%s refuses a body of 50 000 parts quickly", async (path) => {
    const parts = Array.from({ length: 50_000 }, (_, i) => ({ name: `f${i}`, data: Buffer.from("v") }));
    const res = await send(path, {
      method: "POST",
      headers: { ...auth(), "content-type": "multipart/form-data; boundary=b" },
      body: multipart("b", parts),
    });
    expectClientFault(path, res);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.ms).toBeLessThan(10_000);
  });

  it.each(MULTIPART_ROUTES)("%s answers a 40 MiB part of noise without a 5xx", async (path) => {
    const noise = Buffer.alloc(40 * 1024 * 1024, 0xa5);
    const parts: Part[] = [
      { name: "image", filename: "big.png", type: "image/png", data: noise },
      { name: "prompt", data: Buffer.from("x") },
      { name: "model", data: Buffer.from("local") },
    ];
    const res = await send(path, {
      method: "POST",
      headers: { ...auth(), "content-type": "multipart/form-data; boundary=b" },
      body: multipart("b", parts),
    });
    expectClientFault(path, res);
    // seed 002 takes no image: it ignores the part and generates from the prompt.
    if (path !== "/api/text2image/generate") expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it.each(MULTIPART_ROUTES)("%s refuses an unterminated part and a missing boundary in its own shape", async (path) => {
    const image: Part = { name: "image", filename: "a.png", type: "image/png", data: png };
    for (const [type, body] of [
      [
        "multipart/form-data; boundary=b",
        Buffer.concat([
          multipart("b", [{ name: "prompt", data: Buffer.from("x") }], false),
          Buffer.from('--b\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc'),
        ]),
      ],
      ["multipart/form-data", multipart("b", [image])],
    ] as const) {
      const res = await send(path, { method: "POST", headers: { ...auth(), "content-type": type }, body });
      expect(res.status, res.body.toString()).toBe(400);
      expect(JSON.parse(res.body.toString()).error).toBeTruthy();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Images: broken, lying, empty, bombs. Each is refused with a documented 4xx, quickly, and no
// process decodes a bomb (they stay alive, ready, and their peak memory stays bounded).
// ---------------------------------------------------------------------------------------------

/** "Billion laughs": nested entities that expand to gigabytes if a parser lets them. */
const LAUGHS_SVG = `<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  ${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${"bcdefghij"[i]} "${`&${"abcdefghi"[i]};`.repeat(10)}">`).join("\n  ")}
]>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text>&j;</text></svg>`;

/** A PNG of small dimensions whose IDAT inflates to `inflated` bytes: a deflate bomb. */
function deflateBombPng(inflated: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(64, 0);
  ihdr.writeUInt32BE(64, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.alloc(inflated), { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A real JPEG whose frame header (SOF0) claims width × height. */
async function hugeJpeg(width: number, height: number): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#808080" } })
    .jpeg()
    .toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  const out = Buffer.from(jpeg);
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out;
}

async function animated(format: "webp" | "gif"): Promise<Buffer> {
  const frames = await Promise.all(
    [60, 120, 180].map((r) =>
      sharp({ create: { width: 64, height: 48, channels: 4, background: { r, g: 40, b: 40, alpha: 1 } } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(frames, { join: { animated: true } })
    .toFormat(format)
    .toBuffer();
}

/** The pid of this system's process started from `entry` (found by its data dir in /proc). */
async function pidOf(entry: string): Promise<number> {
  for (const pid of (await readdir("/proc")).filter((d) => /^\d+$/.test(d))) {
    const [cmdline, environ] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, "utf8"),
      readFile(`/proc/${pid}/environ`, "utf8"),
    ]).catch(() => ["", ""]);
    if (cmdline.includes(entry) && environ.split("\0").includes(`IMAGEGEN_DATA_DIR=${system.dataDir}`))
      return Number(pid);
  }
  throw new Error(`no running process for ${entry}`);
}

/** Resident memory now (VmRSS) and its peak (VmHWM, since start or the last resetPeakRss), in bytes. */
async function rss(pid: number): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s*(\\d+) kB`).exec(status)?.[1]) * 1024;
  return { now: kb("VmRSS"), peak: kb("VmHWM") };
}

/** Resets VmHWM to the current RSS (Linux: "5" > clear_refs), so earlier tests do not count. */
async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, "5");
}

const ENTRIES = ["gateway/src/main.ts", "services/front/src/main.ts", "services/providers/local/src/main.ts"];

describe("images", () => {
  let bad: Array<readonly [string, Buffer, string]>;
  beforeAll(async () => {
    const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#123456" } })
      .jpeg()
      .toBuffer();
    bad = [
      ["a truncated PNG", png.subarray(0, Math.floor(png.length / 2)), "image/png"],
      ["a PNG cut inside its header", png.subarray(0, 20), "image/png"],
      ["a JPEG header on a PNG body", Buffer.concat([jpeg.subarray(0, 20), png.subarray(8)]), "image/png"],
      ["text labeled image/png", Buffer.from("this is not an image at all"), "image/png"],
      [
        "an SVG labeled image/png",
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="50000" height="50000"/>'),
        "image/png",
      ],
      ["an XML entity bomb (SVG)", Buffer.from(LAUGHS_SVG), "image/svg+xml"],
      ["zero bytes", Buffer.alloc(0), "image/png"],
      ["a 50000×50000 PNG bomb", bombPng(50_000, 50_000), "image/png"],
      ["a 65000×65000 JPEG header", await hugeJpeg(65_000, 65_000), "image/jpeg"],
      ["an animated GIF", await animated("gif"), "image/gif"],
      [
        "a multi-page TIFF",
        await sharp(Buffer.alloc(64 * 96 * 3, 90), { raw: { width: 64, height: 96, channels: 3, pageHeight: 48 } })
          .tiff()
          .toBuffer(),
        "image/tiff",
      ],
    ];
  });

  const dataUrl = (b: Buffer, type: string) => `data:${type};base64,${b.toString("base64")}`;
  const form = (fields: Record<string, string>, files: Record<string, [Buffer, string]>) => {
    const f = new FormData();
    for (const [name, [b, type]] of Object.entries(files))
      f.set(name, new Blob([new Uint8Array(b)], { type }), `${name}.png`);
    for (const [k, v] of Object.entries(fields)) f.set(k, v);
    return f;
  };
  const json = (body: unknown) => ({
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify(body),
  });

  /** Every surface that takes an image, given the image: [name, path, request]. */
  const surfaces = (b: Buffer, type: string): Array<readonly [string, string, RequestInit]> => [
    [
      "REST image-to-image (data: URL)",
      "/api/v2/generate/image-to-image",
      json({ init_image: dataUrl(b, type), prompt: "x", model: "local" }),
    ],
    [
      "REST image-to-image (raw base64)",
      "/api/v2/generate/image-to-image",
      json({ init_image: b.toString("base64"), prompt: "x", model: "local" }),
    ],
    [
      "REST inpaint (mask)",
      "/api/v2/generate/inpaint",
      json({ init_image: dataUrl(png, "image/png"), mask_image: dataUrl(b, type), prompt: "x", model: "local" }),
    ],
    ["REST variations", "/api/v2/generate/variations", json({ image: dataUrl(b, type), model: "local" })],
    [
      "REST filters",
      "/api/v2/process/filters",
      json({ image_url: dataUrl(b, type), filters: [{ type: "grayscale" }] }),
    ],
    ["REST upscale", "/api/v2/process/upscale", json({ image_url: dataUrl(b, type), scale_factor: 2 })],
    // The procedural engine's keying: the bytes' handling is the point here, not the ISNet model's
    // seconds per image (process.test.ts and vision.test.ts run that end to end).
    [
      "REST remove-background",
      "/api/v2/process/remove-background",
      json({ image_url: dataUrl(b, type), model: "local" }),
    ],
    [
      "Connect ImageToImage",
      "/imagegen.v1.ImageService/ImageToImage",
      json({ initImage: dataUrl(b, type), prompt: "x", model: "local" }),
    ],
    [
      "OpenAI edits (image part)",
      "/v1/images/edits",
      { method: "POST", headers: auth(), body: form({ prompt: "x", model: "local" }, { image: [b, type] }) },
    ],
    [
      "OpenAI edits (mask part)",
      "/v1/images/edits",
      {
        method: "POST",
        headers: auth(),
        body: form({ prompt: "x", model: "local" }, { image: [png, "image/png"], mask: [b, type] }),
      },
    ],
    [
      "OpenAI edits (JSON image_url)",
      "/v1/images/edits",
      json({ images: [{ image_url: dataUrl(b, type) }], prompt: "x", model: "local" }),
    ],
    [
      "OpenAI edits (JSON mask)",
      "/v1/images/edits",
      json({
        images: [{ image_url: dataUrl(png, "image/png") }],
        mask: { image_url: dataUrl(b, "image/png") },
        prompt: "x",
        model: "local",
      }),
    ],
    [
      "OpenAI variations",
      "/v1/images/variations",
      { method: "POST", headers: auth(), body: form({ model: "local" }, { image: [b, type] }) },
    ],
    [
      "seed 003 generate",
      "/api/generate",
      {
        method: "POST",
        headers: auth(),
        body: form({ prompt: "x", model: "local", num_images: "1" }, { image: [b, type] }),
      },
    ],
    [
      "seed 003 variation (data: URL)",
      "/api/variation",
      json({ image_url: dataUrl(b, type), model: "local", num_images: 1 }),
    ],
  ];

  it("the sample image itself is accepted on every surface (the refusals below are about the bytes)", async () => {
    for (const [name, path, init] of surfaces(png, "image/png")) {
      const res = await send(path, init);
      expect(res.status, `${name}: ${res.body.toString().slice(0, 300)}`).toBeLessThan(300);
    }
  });

  it("refuses every broken, lying, empty or bomb image on every surface with a 400, quickly", async () => {
    const pids = await Promise.all(ENTRIES.map(pidOf));
    await Promise.all(pids.map(resetPeakRss));
    const before = await Promise.all(pids.map(rss));
    for (const [what, b, type] of bad) {
      for (const [name, path, init] of surfaces(b, type)) {
        const res = await send(path, init);
        const text = res.body.toString();
        expect(res.status, `${what} on ${name}: ${text.slice(0, 300)}`).toBe(400);
        expect(res.ms, `${what} on ${name} took ${Math.round(res.ms)} ms`).toBeLessThan(5_000);
        const body = JSON.parse(text);
        // REST: the seed-004 envelope with INVALID_IMAGE (or INVALID_REQUEST for an empty field);
        // Connect: invalid_argument; the compat profiles: their own error shapes.
        if (path.startsWith("/api/v2/"))
          expect(["INVALID_IMAGE", "INVALID_REQUEST"], `${what} on ${name}`).toContain(body.error.code);
        else if (path.startsWith("/imagegen.")) expect(body.code).toBe("invalid_argument");
        else if (path.startsWith("/v1/"))
          expect(["invalid_image", "invalid_request"], `${what} on ${name}`).toContain(body.error.code);
        else expect(typeof body.error, `${what} on ${name}`).toBe("string");
      }
    }
    // A decoded 50000×50000 bomb alone would need 7.5 GB; no process grew by more than a fraction of one.
    for (const [i, pid] of pids.entries()) {
      const growth = (await rss(pid)).peak - (before[i] as { now: number }).now;
      expect(growth, `${ENTRIES[i]} grew by ${Math.round(growth / 1048576)} MiB`).toBeLessThan(512 * 1024 * 1024);
    }
    await expectHealthy();
  });

  it("an animated WebP and a deflate bomb within the pixel limit are used or refused, quickly, never a 5xx", async () => {
    // The deflate bomb's 64 MiB of IDAT is never inflated past the 64×64 pixels its header
    // declares (libpng stops there), so using it is as safe as refusing it.
    const inputs: Array<readonly [string, Buffer, string]> = [
      ["an animated WebP", await animated("webp"), "image/webp"],
      ["a deflate bomb (64×64 over 64 MiB of IDAT)", deflateBombPng(64 * 1024 * 1024), "image/png"],
    ];
    for (const [what, b, type] of inputs) {
      for (const [name, path, init] of surfaces(b, type)) {
        const res = await send(path, init);
        expectClientFault(`${what} on ${name}`, res);
        expect(res.ms, `${what} on ${name} took ${Math.round(res.ms)} ms`).toBeLessThan(5_000);
      }
    }
    await expectHealthy();
  });

  it("survives random truncations and byte flips of a real image on every surface", async () => {
    const mutated = fc.oneof(
      fc.nat(png.length).map((n) => png.subarray(0, n)),
      fc.tuple(fc.nat(png.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
        const copy = Buffer.from(png);
        copy[at] = v;
        return copy;
      }),
    );
    await fc.assert(
      fc.asyncProperty(mutated, fc.nat(14), async (b, which) => {
        const [name, path, init] = surfaces(b, "image/png")[which] as readonly [string, string, RequestInit];
        expectClientFault(`${name} with ${b.length} bytes`, await send(path, init));
      }),
      { numRuns: runs(60) },
    );
    await expectHealthy();
  });
});
