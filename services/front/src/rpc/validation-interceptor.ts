import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator } from "@bufbuild/protovalidate";
import type { Interceptor } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";

const validator = createValidator();

/**
 * Checks every request against its protovalidate rules before a handler runs, and answers
 * INVALID_REQUEST naming each offending field ("parameters.width") with its rule id.
 * Requests of streaming methods arrive as one message too (server streaming), checked the same way.
 */
export const validationInterceptor: Interceptor = (next) => async (req) => {
  if (!req.stream) {
    const result = validator.validate(req.method.input, req.message);
    if (result.kind === "invalid") {
      const fieldViolations = result.violations.map((v) => ({
        field: pathToString(v.field),
        description: v.message,
        rule: v.ruleId,
      }));
      const summary = fieldViolations.map((v) => `${v.field}: ${v.description}`).join("; ");
      throw apiError(ErrorReason.INVALID_REQUEST, `invalid request: ${summary}`, { fieldViolations });
    }
    if (result.kind === "error")
      throw apiError(ErrorReason.INTERNAL, "request validation failed", { cause: result.error });
  }
  return next(req);
};
