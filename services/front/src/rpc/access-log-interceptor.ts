import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { describeError } from "@imagegen/errors";
import type { Logger } from "@imagegen/server-kit";
import { trace } from "@opentelemetry/api";
import { principalKey } from "../auth/principal.ts";

/**
 * One JSON log line per served call, with the edge's request id, the caller's key id (never the
 * key), the method, the outcome and the duration; written inside the RPC span so it carries
 * trace_id/span_id. Sits before auth so refusals are logged too; reads the principal auth left.
 * Streaming calls are logged when their stream starts.
 */
export function createAccessLogInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const line = (outcome: string): void => {
      const keyId = req.contextValues.get(principalKey)?.keyId;
      if (keyId) trace.getActiveSpan()?.setAttribute("imagegen.key_id", keyId);
      logger.info("rpc", {
        request_id: req.header.get("x-request-id") ?? undefined,
        key_id: keyId,
        method: `${req.service.typeName}/${req.method.name}`,
        outcome,
        duration_ms: Math.round(performance.now() - started),
      });
    };
    try {
      const res = await next(req);
      line("OK");
      return res;
    } catch (error) {
      line(describeError(ConnectError.from(error)).row.name);
      throw error;
    }
  };
}
