import type { NodeResponse } from "../http/respond.ts";

/**
 * A signal that aborts when the client hangs up before its response was sent, which cancels the
 * call to the front. A response that finished closes too: that is no hang-up, and aborting then
 * built a DOMException (and ran the call's abort listeners) at the end of every request.
 */
export function hangUpSignal(res: NodeResponse): AbortSignal {
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}
