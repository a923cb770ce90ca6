import type { UniversalRequestHandler } from "./dual-protocol-server.ts";
import type { Logger } from "./logger.ts";

/**
 * Wraps a connect-node handler so that no single request can end the process: connect-node
 * builds each request's URL from the Host (HTTP/1.1) or :authority (h2) and throws outside any
 * promise when there is none (HTTP/1.0) or it is no authority. Such a request is answered 400;
 * any other synchronous throw is logged and answered 500, and the server keeps serving.
 */
export function guardRpcHandler(handler: UniversalRequestHandler, logger: Logger): UniversalRequestHandler {
  return (req, res) => {
    const authority = "authority" in req ? req.authority : req.headers.host;
    if (typeof authority !== "string" || !URL.canParse(`http://${authority}/`)) {
      answer(res, 400, "a Host header naming this server is required\n");
      return;
    }
    try {
      handler(req, res);
    } catch (error) {
      logger.error("unhandled request error", { error });
      if (!res.headersSent) answer(res, 500, "internal error\n");
      else res.end();
    }
  };
}

// The two response types share these members but not one callable signature for writeHead.
function answer(res: Parameters<UniversalRequestHandler>[1], status: number, text: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/plain");
  res.end(text);
}
