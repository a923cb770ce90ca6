import type * as http2 from "node:http2";
import { Http2SessionManager } from "@connectrpc/connect-node";

/**
 * connect-node's HTTP/2 session manager, with one fault closed: when a PING goes unanswered it
 * destroys the session with an error ("PING timed out"), and if the manager has already
 * detached its own listeners from that session (it moved on to a new connection), the session's
 * "error" event has no listener and ends the whole process — seen as a gateway that died
 * whenever its front was frozen at the wrong moment. Each session this manager hands out gets one
 * listener that outlives the manager's: the calls on it still fail (their streams are destroyed
 * with it, UNAVAILABLE), only the process survives.
 */
export class GuardedHttp2SessionManager extends Http2SessionManager {
  private readonly guarded = new WeakSet<http2.Http2Session>();

  override async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    const session = stream.session;
    if (session && !this.guarded.has(session)) {
      this.guarded.add(session);
      // The manager's own listeners report the error while attached; this one only keeps an
      // error raised after they are gone from being uncaught.
      session.on("error", () => undefined);
    }
    return stream;
  }
}
