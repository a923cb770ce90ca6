import { createClient, type Transport } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { apiError, ErrorReason } from "@imagegen/errors";
import { IMAGE_PATH_PREFIX } from "@imagegen/image-urls";
import { Health, HealthCheckResponse_ServingStatus } from "@imagegen/proto/grpc/health/v1/health_pb";
import {
  answerUnknownRpc,
  clientFaultForUnparseableRequests,
  isUnprovenPeer,
  looksLikeRpc,
  READINESS_DETAIL_HEADER,
  registerHealth,
  registerReflection,
  REFLECTION_SERVICE_NAMES,
  unimplementedFallback,
  UNPROVEN_PEER_MESSAGE,
  type UniversalRequestHandler,
  type Logger,
} from "@imagegen/server-kit";
import { createServerTracingInterceptor, traceHttpRequest, type EdgeRoute } from "@imagegen/telemetry";
import { BodyBudget } from "./admission/body-budget.ts";
import { createCredentialCheck } from "./admission/credential-check.ts";
import { createRequestAdmission } from "./admission/request-admission.ts";
import { createCompatRoutes } from "./compat/compat-routes.ts";
import { createDocsHandler } from "./docs/docs-handler.ts";
import { applyCors } from "./http/cors.ts";
import { serveImage } from "./http/image-files.ts";
import type { ImageBlobReader } from "./http/image-blobs.ts";
import { requestIdFor } from "./http/request-id.ts";
import { sendErrorEnvelope, sendJson, type NodeRequest, type NodeResponse } from "./http/respond.ts";
import { createOAuthProxy } from "./oauth/oauth-proxy.ts";
import { createPlaygroundHandler } from "./playground/playground-handler.ts";
import { PUBLIC_SERVICES, publicRegistry } from "./public-services.ts";
import { createRestHandler } from "./rest/rest-handler.ts";
import { createRouteTable } from "./rest/route-table.ts";
import { registerFrontProxy, REQUEST_ID_HEADER } from "./rpc/front-proxy.ts";
import { rejectRpc } from "./rpc/reject-rpc.ts";

/** An HTTP route family of the edge: handles the request and returns true, or returns false. */
export type RouteHandler = (req: NodeRequest, res: NodeResponse, url: URL) => Promise<boolean>;

async function runChain(
  handlers: readonly RouteHandler[],
  req: NodeRequest,
  res: NodeResponse,
  url: URL,
): Promise<boolean> {
  for (const handler of handlers) {
    if (await handler(req, res, url)) return true;
  }
  return false;
}

export interface GatewayAppOptions {
  /** Client transport to the front service (gRPC over h2c). */
  readonly front: Transport;
  /** Image bytes the front stored (files under the data dir, or the shared PostgreSQL). */
  readonly images: ImageBlobReader;
  readonly signingKey: Buffer;
  readonly corsOrigins: readonly string[];
  /** Largest request body accepted on any surface. */
  readonly maxBodyBytes: number;
  /** Most request-body bytes held at once over all requests (IMAGEGEN_BODY_BUDGET_BYTES). */
  readonly bodyBudgetBytes: number;
  /** How long the edge trusts the front's verdict on a credential (IMAGEGEN_EDGE_CREDENTIAL_TTL_MS). */
  readonly credentialTtlMs: number;
  readonly logger: Logger;
  /** The front's HTTP base URLs, for the OAuth endpoints (/oauth/*, discovery) it serves; none = not served. */
  readonly frontHttpUrls?: readonly string[];
  /** False once shutdown began: readiness fails first so load balancers drain us. */
  readonly isAccepting: () => boolean;
}

/**
 * The edge: every public surface on one handler. It knows protocols only — no keys, quotas or
 * providers — and forwards every call to the front service. Before it reads any body bound for
 * the front it asks the front whether the credential is valid and reserves the body's bytes
 * (request-admission.ts), so a request that will be refused costs its headers only.
 */
export function createGatewayApp(options: GatewayAppOptions): UniversalRequestHandler {
  const frontHealth = createClient(Health, options.front);
  // `detail` says why parts are shut out: a front, or providers behind it, that could not prove
  // they belong to this deployment (see server-kit service-identity).
  const frontReadiness = async (): Promise<{ ready: boolean; detail?: Record<string, unknown> }> => {
    if (!options.isAccepting()) return { ready: false };
    let detail: Record<string, unknown> | undefined;
    try {
      const res = await frontHealth.check(
        { service: "" },
        { timeoutMs: 2000, onHeader: (header) => (detail = readinessDetail(header)) },
      );
      return { ready: res.status === HealthCheckResponse_ServingStatus.SERVING, detail };
    } catch (error) {
      return { ready: false, detail: isUnprovenPeer(error) ? { front: UNPROVEN_PEER_MESSAGE } : undefined };
    }
  };
  const frontReady = async (): Promise<boolean> => (await frontReadiness()).ready;

  const servedServices = [...PUBLIC_SERVICES.map((s) => s.typeName), Health.typeName, ...REFLECTION_SERVICE_NAMES];
  // Every RPC path served here: spans and metrics name only these (a client inventing method
  // names must not invent new series).
  const rpcPaths = new Set([
    ...[...PUBLIC_SERVICES, Health].flatMap((s) => s.methods.map((m) => `/${s.typeName}/${m.name}`)),
    ...REFLECTION_SERVICE_NAMES.map((name) => `/${name}/ServerReflectionInfo`),
  ]);
  const rpc = connectNodeAdapter({
    // An unknown method of a served service: UNIMPLEMENTED in the caller's protocol, not a bare 404.
    fallback: unimplementedFallback(servedServices),
    readMaxBytes: options.maxBodyBytes,
    interceptors: [createServerTracingInterceptor()],
    // Random bytes or a truncated message is the client's fault (400), not connect-es's INTERNAL.
    requestGate: clientFaultForUnparseableRequests,
    routes(router) {
      for (const service of PUBLIC_SERVICES) registerFrontProxy(router, service, options.front);
      registerReflection(router, publicRegistry, [...PUBLIC_SERVICES.map((s) => s.typeName), Health.typeName]);
      registerHealth(router, async (service) =>
        service === "" || service.startsWith("imagegen.") ? frontReady() : undefined,
      );
    },
  });
  const credentialedRpcPrefixes = PUBLIC_SERVICES.map((s) => `/${s.typeName}/`);
  const rpcPrefixes = [
    ...credentialedRpcPrefixes,
    "/grpc.health.v1.Health/",
    ...REFLECTION_SERVICE_NAMES.map((s) => `/${s}/`),
  ];
  const admission = createRequestAdmission(
    createCredentialCheck(options.front, options.credentialTtlMs),
    new BodyBudget(options.bodyBudgetBytes),
    options.maxBodyBytes,
  );
  const rest = createRestHandler({
    routes: createRouteTable(PUBLIC_SERVICES),
    transport: options.front,
    registry: publicRegistry,
    maxBodyBytes: options.maxBodyBytes,
  });

  // HTTP routes tried in order after the RPC paths, health and image files; each answers
  // true when it handled the request. Compat profiles and docs pages join this list.
  const routeHandlers: RouteHandler[] = [
    createCompatRoutes(options),
    rest,
    createDocsHandler(),
    createPlaygroundHandler(),
  ];
  if (options.frontHttpUrls?.length) routeHandlers.unshift(createOAuthProxy(options.frontHttpUrls));

  const handle: UniversalRequestHandler = (req, res) => {
    const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER]);
    // Handlers downstream read the id (and the client address) from the request itself.
    req.headers[REQUEST_ID_HEADER] = requestId;
    req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    res.setHeader("x-request-id", requestId);
    const started = performance.now();
    res.once("finish", () =>
      options.logger.info("request", {
        request_id: requestId,
        method: req.method,
        path: (req.url ?? "").split("?")[0],
        status: res.statusCode,
        duration_ms: Math.round(performance.now() - started),
      }),
    );
    if (applyCors(req, res, options.corsOrigins)) return;
    const url = requestUrl(req.url ?? "/");
    if (!url) {
      sendErrorEnvelope(req, res, apiError(ErrorReason.INVALID_REQUEST, "the request target is not a valid URL"));
      return;
    }
    const path = url.pathname;
    if (rpcPrefixes.some((p) => path.startsWith(p))) {
      // connect-node builds its request URL from the Host (HTTP/1.1) or :authority (h2) and
      // throws, outside any promise, when there is none (HTTP/1.0) or it is no authority.
      if (!hasAuthority(req)) {
        sendErrorEnvelope(
          req,
          res,
          apiError(ErrorReason.INVALID_REQUEST, "a Host header naming this server is required"),
        );
        return;
      }
      if (mayCarryBody(req) && credentialedRpcPrefixes.some((p) => path.startsWith(p))) {
        admission
          .admit(req, res)
          .then(
            () => rpc(req, res),
            (error: unknown) => rejectRpc(req, res, error),
          )
          // A throw from either would otherwise be an unhandled rejection, which ends the process.
          .catch((error: unknown) => {
            options.logger.error("unhandled edge error", { request_id: requestId, error });
            if (!res.headersSent) sendErrorEnvelope(req, res, error);
            else res.end();
          });
        return;
      }
      rpc(req, res);
      return;
    }
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      sendJson(req, res, 200, { status: "ok" });
      return;
    }
    if (path === "/readyz" && (req.method === "GET" || req.method === "HEAD")) {
      void frontReadiness().then(({ ready, detail }) =>
        sendJson(req, res, ready ? 200 : 503, {
          status: ready ? "ready" : "not_ready",
          checks: { front: ready },
          ...(detail ? { detail } : {}),
        }),
      );
      return;
    }
    if (path.startsWith(IMAGE_PATH_PREFIX) && (req.method === "GET" || req.method === "HEAD")) {
      void serveImage(req, res, url, options.images, options.signingKey);
      return;
    }
    // REST and the compat profiles read bodies through readBody, which waits for this admission
    // and answers its refusal in the surface's own error shape.
    if (mayCarryBody(req) && (path.startsWith("/api/") || path.startsWith("/v1/")))
      void admission.admit(req, res).catch(() => undefined);
    runChain(routeHandlers, req, res, url)
      .then((handled) => {
        if (handled) return;
        if (looksLikeRpc(req, path)) answerUnknownRpc(req, res, path, servedServices);
        else sendErrorEnvelope(req, res, apiError(ErrorReason.NOT_FOUND, `no route for ${req.method} ${path}`));
      })
      .catch((error: unknown) => {
        options.logger.error("unhandled edge error", { request_id: requestId, error });
        if (!res.headersSent) sendErrorEnvelope(req, res, error);
      });
  };
  // Every request runs under the edge's SERVER span (honouring a client's traceparent). A
  // synchronous throw would escape to the server and end the process: one request must never
  // take the edge down, so it is logged and answered like any unhandled error.
  return (req, res) => {
    try {
      traceHttpRequest(req, res, edgeRoute(req, rpcPaths), () => handle(req, res));
    } catch (error) {
      options.logger.error("unhandled edge error", { request_id: String(req.headers[REQUEST_ID_HEADER] ?? ""), error });
      if (!res.headersSent) sendErrorEnvelope(req, res, error);
      else res.end();
    }
  };
}

/**
 * The request target as a URL, or undefined when it is none (e.g. "http://[x/", a port over
 * 65535, "*"). Origin-form ("/path?q") is resolved under a fixed origin so that "//x/y" stays a
 * path; absolute-form ("http://host/path", as proxies send it) is parsed as it is.
 */
function requestUrl(target: string): URL | undefined {
  try {
    return target.startsWith("/") ? new URL(`http://edge${target}`) : new URL(target);
  } catch {
    return undefined;
  }
}

/** Methods whose requests may carry a body (an HTTP/2 request need not declare its length). */
function mayCarryBody(req: NodeRequest): boolean {
  return req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS";
}

/** Whether the request names an authority connect-node can build a URL on. */
function hasAuthority(req: NodeRequest): boolean {
  const authority = "authority" in req ? req.authority : req.headers.host;
  return typeof authority === "string" && URL.canParse(`http://${authority}/`);
}

/**
 * Names a request for spans and metrics by surface, never by ids in its path: `route` is its
 * `http.route` when the path alone fixes it (REST names its template when it matches).
 */
function edgeRoute(req: NodeRequest, rpcPaths: ReadonlySet<string>): EdgeRoute {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const httpMethod = req.method ?? "GET";
  if (rpcPaths.has(path)) {
    const [service = "", method = ""] = path.slice(1).split("/");
    return { surface: "rpc", method: path.slice(1), route: path, rpc: { service, method } };
  }
  // An unknown service or method (answered UNIMPLEMENTED): one name for all of them.
  if (looksLikeRpc(req, path))
    return { surface: "rpc", method: "_OTHER", rpc: { service: "_OTHER", method: "_OTHER" } };
  if (path === "/healthz" || path === "/readyz") return { surface: "health", method: path.slice(1), route: path };
  if (path.startsWith(IMAGE_PATH_PREFIX))
    return { surface: "images", method: httpMethod, route: `${IMAGE_PATH_PREFIX}{generation}/{file}` };
  if (path.startsWith("/api/v2/")) return { surface: "rest", method: httpMethod };
  if (path.startsWith("/api/") || path.startsWith("/v1/")) return { surface: "compat", method: httpMethod };
  return { surface: "other", method: httpMethod };
}

// The front's readiness detail header, when it sent a JSON object.
function readinessDetail(header: Headers): Record<string, unknown> | undefined {
  const value = header.get(READINESS_DETAIL_HEADER);
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
