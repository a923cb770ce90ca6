import { create, type DescMessage, type DescMethod, type DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextValues,
  createHandlerContext,
  createRouterTransport,
  createServiceImplSpec,
  type ConnectRouter,
  type Interceptor,
  type MethodImplSpec,
  type Transport,
} from "@connectrpc/connect";
import { invokeUnaryImplementation } from "@connectrpc/connect/protocol";

/**
 * A Transport that calls `routes`' handlers in this process. A unary call runs the interceptors
 * and the implementation on the caller's message itself: nothing is encoded, decoded or streamed,
 * which a router transport does twice per call (about what a batched HTTP/2 hop costs). The call
 * keeps what the wire gives it: the handler context (deadline, cancellation when the caller's
 * signal aborts, context values), the request and response headers and trailers, and errors as
 * the interceptors and handlers raised them. Streaming calls go through connect's router transport.
 * Messages are not copied: the caller must not reuse the request it passed, and must treat the
 * response as read-only (a handler may answer with a message it also keeps).
 */
export function createInProcessTransport(
  routes: (router: ConnectRouter) => void,
  interceptors: readonly Interceptor[],
): Transport {
  const unary = new Map<string, UnarySpec>();
  routes(capturingRouter(unary));
  const streaming = createRouterTransport(routes, { router: { interceptors: [...interceptors] } });
  const chain = [...interceptors];
  return {
    async unary(method, signal, timeoutMs, header, input, contextValues) {
      const spec = unary.get(`${method.parent.typeName}/${method.name}`);
      if (!spec)
        throw new ConnectError(`${method.parent.typeName}/${method.name} is not implemented`, Code.Unimplemented);
      const context = createHandlerContext({
        service: method.parent,
        method,
        protocolName: "in-process",
        requestMethod: "POST",
        url: `in-process:/${method.parent.typeName}/${method.name}`,
        timeoutMs,
        requestSignal: signal,
        requestHeader: header,
        contextValues: contextValues ?? createContextValues(),
      });
      // The deadline or the caller's cancel ends the call even if a handler does not watch its signal.
      let onAbort = (): void => undefined;
      const ended = new Promise<never>((_, reject) => {
        onAbort = () => reject(ConnectError.from(context.signal.reason));
        context.signal.addEventListener("abort", onAbort, { once: true });
      });
      ended.catch(() => undefined);
      try {
        // Aborted before the listener was added (a caller already gone): its event has fired.
        if (context.signal.aborted) throw ConnectError.from(context.signal.reason);
        const message = await Promise.race([
          invokeUnaryImplementation(spec, context, create(method.input as DescMessage, input as never), chain),
          ended,
        ]);
        return {
          stream: false,
          service: method.parent,
          method,
          header: context.responseHeader,
          trailer: context.responseTrailer,
          message,
          // biome-ignore lint/suspicious/noExplicitAny: the Transport's generic response type
        } as any;
      } finally {
        // Ending the handler's context aborts its signal: no error is built for a call that finished.
        context.signal.removeEventListener("abort", onAbort);
        context.abort();
      }
    },
    stream: streaming.stream.bind(streaming),
  };
}

type UnarySpec = Parameters<typeof invokeUnaryImplementation>[0];

// A router that only records each unary method's implementation (the registrations of `routes`).
function capturingRouter(unary: Map<string, UnarySpec>): ConnectRouter {
  const record = (spec: MethodImplSpec): void => {
    if (spec.kind === "unary") unary.set(`${spec.method.parent.typeName}/${spec.method.name}`, spec as UnarySpec);
  };
  const router: ConnectRouter = {
    handlers: [],
    service(service: DescService, implementation: object) {
      const specs = createServiceImplSpec(service, implementation as never);
      for (const spec of Object.values(specs.methods)) record(spec as MethodImplSpec);
      return router;
    },
    rpc(method: DescMethod, impl: unknown) {
      record({ kind: method.methodKind, method, impl } as MethodImplSpec);
      return router;
    },
  } as ConnectRouter;
  return router;
}
