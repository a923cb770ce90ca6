import { execFile } from "node:child_process";
import http2 from "node:http2";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Generic gRPC tooling against the running edge: reflection in both versions, and unknown
// services or methods answered in the protocol the caller spoke.
const run = promisify(execFile);
let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

const buf = (args: string[]) => run("npx", ["buf", "curl", "--http2-prior-knowledge", ...args], { timeout: 30_000 });

describe("server reflection", () => {
  for (const version of ["grpc-v1", "grpc-v1alpha"]) {
    // v1alpha is still the only version older grpcurl, grpcui and many GUI clients speak.
    it(`answers ${version}: lists the services, then a call is made from the reflected schema`, async () => {
      const listed = await buf(["--reflect-protocol", version, "--list-services", system.baseUrl]);
      expect(listed.stdout.split("\n")).toEqual(
        expect.arrayContaining([
          "imagegen.v1.ImageService",
          "grpc.health.v1.Health",
          "grpc.reflection.v1alpha.ServerReflection",
        ]),
      );
      const checked = await buf([
        "--reflect-protocol",
        version,
        "--protocol",
        "grpc",
        "-d",
        "{}",
        `${system.baseUrl}/grpc.health.v1.Health/Check`,
      ]);
      expect(JSON.parse(checked.stdout)).toEqual({ status: "SERVING" });
    });
  }
});

/** One gRPC call over h2c with an empty message: its HTTP status and gRPC status/message. */
async function grpcCall(path: string): Promise<{ status: number; grpcStatus: string; grpcMessage: string }> {
  const session = http2.connect(system.baseUrl);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/grpc",
        te: "trailers",
        authorization: `Bearer ${system.adminKey}`,
      });
      let headers: http2.IncomingHttpHeaders = {};
      stream.on("response", (h) => (headers = h));
      stream.on("trailers", (t) => (headers = { ...headers, ...t }));
      stream.on("error", reject);
      stream.resume();
      stream.on("end", () =>
        resolve({
          status: Number(headers[":status"]),
          grpcStatus: String(headers["grpc-status"]),
          grpcMessage: decodeURIComponent(String(headers["grpc-message"] ?? "")),
        }),
      );
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  } finally {
    session.close();
  }
}

describe("unknown services and methods", () => {
  const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

  it("gRPC: HTTP 200 with grpc-status 12 (UNIMPLEMENTED), for an unknown method and an unknown service", async () => {
    expect(await grpcCall("/imagegen.v1.ImageService/NoSuchMethod")).toEqual({
      status: 200,
      grpcStatus: "12",
      grpcMessage: "unknown method NoSuchMethod for service imagegen.v1.ImageService",
    });
    expect(await grpcCall("/acme.v1.NoSuchService/Do")).toEqual({
      status: 200,
      grpcStatus: "12",
      grpcMessage: "unknown service acme.v1.NoSuchService",
    });
  });

  it("gRPC-Web: HTTP 200 with grpc-status 12 in the headers", async () => {
    const res = await fetch(`${system.baseUrl}/acme.v1.NoSuchService/Do`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...auth() },
      body: new Uint8Array(5),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("grpc-status")).toBe("12");
  });

  it("Connect: HTTP 404 with the unimplemented JSON error", async () => {
    for (const [path, message] of [
      ["/imagegen.v1.ImageService/NoSuchMethod", "unknown method NoSuchMethod for service imagegen.v1.ImageService"],
      ["/acme.v1.NoSuchService/Do", "unknown service acme.v1.NoSuchService"],
    ] as const) {
      const res = await fetch(system.baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/json", "connect-protocol-version": "1", ...auth() },
        body: "{}",
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: "unimplemented", message });
    }
  });

  it("REST: HTTP 404 with the seed 004 error envelope", async () => {
    const res = await fetch(`${system.baseUrl}/api/v2/no-such-thing`, { headers: auth() });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("NOT_FOUND");
  });
});
