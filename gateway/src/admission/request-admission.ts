import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { requestHeaders } from "../http/request-headers.ts";
import type { BodyAccount, BodyBudget } from "./body-budget.ts";
import type { CredentialCheck } from "./credential-check.ts";

/**
 * Checks a request before anything reads its body: its credential first (a refused request
 * costs its headers only), then its declared size against the edge's body budget. Whoever reads
 * the body afterwards — readBody for REST and the compat profiles, connect-node for RPCs —
 * counts every chunk into the same account, so a body without Content-Length is bounded too.
 */
export interface RequestAdmission {
  /**
   * Starts the checks of `req` (once). Resolves with its body account, or rejects with the
   * error to answer — UNAUTHENTICATED from the front, UNAVAILABLE with Retry-After past the
   * budget. A refused body is never buffered: the refusing reader (readBody, rejectRpc) drains
   * and discards what the client still sends, so an HTTP/1.1 client reliably reads its answer;
   * HTTP/2 flow control never lets a client send more than a window ahead.
   */
  admit(req: NodeRequest, res: NodeResponse): Promise<BodyAccount>;
}

// Request-scoped, like the request id in its headers: readBody finds the admission of the
// request it is handed without every route threading it through.
const admissions = new WeakMap<NodeRequest, Promise<BodyAccount>>();

/** The admission started for `req`, if any; readBody awaits it before it reads the first byte. */
export function admissionOf(req: NodeRequest): Promise<BodyAccount> | undefined {
  return admissions.get(req);
}

/** `maxBodyBytes`: a larger declared body is left to its reader, which refuses it as too large. */
export function createRequestAdmission(
  check: CredentialCheck,
  budget: BodyBudget,
  maxBodyBytes: number,
): RequestAdmission {
  const run = async (req: NodeRequest, res: NodeResponse): Promise<BodyAccount> => {
    // Listening before the check: a client that leaves while the front is asked must not leave
    // its reservation behind (the budget would shrink with every such client).
    let account: BodyAccount | undefined;
    let gone = false;
    res.once("close", () => {
      gone = true;
      account?.close();
    });
    await check(requestHeaders(req));
    account = budget.open();
    if (gone) account.close();
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared <= maxBodyBytes) account.reserve(declared);
    countWhileRead(req, account);
    return account;
  };

  return {
    admit(req, res) {
      let admission = admissions.get(req);
      if (!admission) {
        admission = run(req, res);
        admissions.set(req, admission);
      }
      return admission;
    },
  };
}

/**
 * connect-node reads a request body by async iteration; counting there keeps the budget true
 * for bodies whose size was not declared (gRPC clients rarely send Content-Length).
 */
function countWhileRead(req: NodeRequest, account: BodyAccount): void {
  const iterate = req[Symbol.asyncIterator].bind(req);
  let received = 0;
  Object.defineProperty(req, Symbol.asyncIterator, {
    configurable: true,
    value: async function* counted() {
      for await (const chunk of iterate()) {
        received += (chunk as Buffer).length;
        account.reserve(received);
        yield chunk;
      }
    },
  });
}
