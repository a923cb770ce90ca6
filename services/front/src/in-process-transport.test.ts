import { Code, ConnectError, createClient, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { Health, HealthCheckResponse_ServingStatus } from "@imagegen/proto/grpc/health/v1/health_pb";
import { describe, expect, it } from "vitest";
import { createInProcessTransport } from "./in-process-transport.ts";

// Health is a small service with a unary (Check) and a streaming (Watch) method.
function transportWith(check: (ctx: { signal: AbortSignal }) => Promise<unknown>, interceptors: Interceptor[] = []) {
  const routes = (router: ConnectRouter): void => {
    router.service(Health, {
      check: (_request, ctx) => check(ctx) as never,
      async *watch() {
        yield { status: HealthCheckResponse_ServingStatus.SERVING };
        yield { status: HealthCheckResponse_ServingStatus.NOT_SERVING };
      },
    });
  };
  return createClient(Health, createInProcessTransport(routes, interceptors));
}

const unexpected = (): never => {
  throw new Error("the call succeeded");
};

describe("the in-process transport", () => {
  it("runs the interceptors around the handler and carries headers both ways", async () => {
    const seen: string[] = [];
    const interceptor: Interceptor = (next) => async (request) => {
      seen.push(request.header.get("x-caller") ?? "");
      const response = await next(request);
      response.header.set("x-answered-by", "front");
      return response;
    };
    const client = transportWith(async () => ({ status: HealthCheckResponse_ServingStatus.SERVING }), [interceptor]);
    let answeredBy: string | null = null;
    const answer = await client.check(
      {},
      { headers: { "x-caller": "gateway" }, onHeader: (header) => (answeredBy = header.get("x-answered-by")) },
    );
    expect(answer.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(seen).toEqual(["gateway"]);
    expect(answeredBy).toBe("front");
  });

  it("gives the caller the handler's error with its details", async () => {
    const refusal = new ConnectError("no such thing", Code.NotFound, undefined, [
      { desc: ErrorInfoSchema, value: { reason: "NOT_FOUND", domain: "imagegen" } },
    ]);
    const client = transportWith(async () => {
      throw refusal;
    });
    const error = await client.check({}).then(unexpected, (e: unknown) => ConnectError.from(e));
    expect(error.code).toBe(Code.NotFound);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("NOT_FOUND");
  });

  it("ends a call at its deadline even when the handler never looks at its signal", async () => {
    const client = transportWith(() => new Promise(() => undefined));
    const started = performance.now();
    const error = await client.check({}, { timeoutMs: 50 }).then(unexpected, (e: unknown) => ConnectError.from(e));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("cancels the handler when the caller hangs up", async () => {
    let handlerSignal: AbortSignal | undefined;
    const client = transportWith((ctx) => {
      handlerSignal = ctx.signal;
      return new Promise(() => undefined);
    });
    const controller = new AbortController();
    const call = client.check({}, { signal: controller.signal }).then(unexpected, (e: unknown) => ConnectError.from(e));
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect((await call).code).toBe(Code.Canceled);
    expect(handlerSignal?.aborted).toBe(true);
  });

  it("answers a call whose caller is already gone with CANCELED, without running the handler", async () => {
    let ran = false;
    const client = transportWith(async () => {
      ran = true;
      return {};
    });
    const error = await client
      .check({}, { signal: AbortSignal.abort() })
      .then(unexpected, (e: unknown) => ConnectError.from(e));
    expect(error.code).toBe(Code.Canceled);
    expect(ran).toBe(false);
  });

  it("streams a server-streaming method through the router", async () => {
    const client = transportWith(async () => ({}));
    const statuses: number[] = [];
    for await (const message of client.watch({})) statuses.push(message.status);
    expect(statuses).toEqual([
      HealthCheckResponse_ServingStatus.SERVING,
      HealthCheckResponse_ServingStatus.NOT_SERVING,
    ]);
  });
});
