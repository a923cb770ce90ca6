import { Agent, type Dispatcher, EnvHttpProxyAgent, interceptors } from "undici";

/**
 * The process's connections to vendors, shared by every RPC so that keep-alive connections are
 * reused (undici's defaults, as global `fetch` had them: 4 s idle keep-alive, 10 s connect,
 * 300 s headers and body timeouts; each call's own deadline comes from its signal). When Node is
 * told to use the environment's proxy (NODE_USE_ENV_PROXY=1 or --use-env-proxy), as `fetch` did,
 * calls go through HTTP_PROXY/HTTPS_PROXY/NO_PROXY.
 */
const base: Dispatcher = usesEnvProxy() ? new EnvHttpProxyAgent() : new Agent();

/** For calls that carry our credentials: a redirect is handed back, never followed. */
export const upstreamDispatcher: Dispatcher = base;

/** For unauthenticated calls (result downloads): redirects followed, at most 20 as `fetch` does. */
export const followingDispatcher: Dispatcher = base.compose(
  interceptors.redirect({ maxRedirections: 20, throwOnMaxRedirect: true }),
);

function usesEnvProxy(): boolean {
  const flags = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
  return process.env.NODE_USE_ENV_PROXY === "1" || /(^|\s)--use-env-proxy(\s|=|$)/.test(flags);
}
