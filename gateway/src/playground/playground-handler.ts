import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { sendBody } from "../docs/static-file.ts";
import { bundlePlayground } from "./bundle.ts";
import { playgroundPageHtml } from "./playground-page.ts";

/** GET /playground and its script, bundled on first use and kept for the process's life. */
export function createPlaygroundHandler() {
  let bundle: Promise<Buffer> | undefined;
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = url.pathname.replace(/\/$/, "");
    if (path === "/playground") {
      sendBody(req, res, "text/html; charset=utf-8", playgroundPageHtml());
      return true;
    }
    if (path === "/playground/app.js") {
      bundle ??= bundlePlayground();
      // A failed bundle is retried on the next request rather than cached.
      const bytes = await bundle.catch((error: unknown) => {
        bundle = undefined;
        throw error;
      });
      sendBody(req, res, "text/javascript; charset=utf-8", bytes);
      return true;
    }
    return false;
  };
}
