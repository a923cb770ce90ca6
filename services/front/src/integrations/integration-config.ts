import type { ServiceId } from "./integration-store.ts";

/** The operator's app at one service, and where the service is (fakes and tests point these elsewhere). */
export interface DropboxConfig {
  readonly appKey: string;
  readonly appSecret: string;
  readonly apiUrl: string;
  readonly contentUrl: string;
  readonly webUrl: string;
}

export interface GoogleConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly oauthUrl: string;
  readonly driveApiUrl: string;
  readonly accountsUrl: string;
}

export interface IntegrationConfig {
  /** Undefined when the operator did not give the app's credentials: the service is not available. */
  readonly dropbox?: DropboxConfig;
  readonly google_drive?: GoogleConfig;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "");

/**
 * Reads DROPBOX_* and GOOGLE_* from the environment. These URLs are the operator's (like a
 * provider's base URL), never a user's, so they do not go through the SSRF guard.
 */
export function integrationConfigFromEnv(env: NodeJS.ProcessEnv): IntegrationConfig {
  const dropbox: DropboxConfig | undefined =
    env.DROPBOX_APP_KEY && env.DROPBOX_APP_SECRET
      ? {
          appKey: env.DROPBOX_APP_KEY,
          appSecret: env.DROPBOX_APP_SECRET,
          apiUrl: trimSlash(env.DROPBOX_API_URL || "https://api.dropboxapi.com"),
          contentUrl: trimSlash(env.DROPBOX_CONTENT_URL || "https://content.dropboxapi.com"),
          webUrl: trimSlash(env.DROPBOX_WEB_URL || "https://www.dropbox.com"),
        }
      : undefined;
  const google: GoogleConfig | undefined =
    env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET
      ? {
          clientId: env.GOOGLE_CLIENT_ID,
          clientSecret: env.GOOGLE_CLIENT_SECRET,
          oauthUrl: trimSlash(env.GOOGLE_OAUTH_URL || "https://oauth2.googleapis.com"),
          driveApiUrl: trimSlash(env.GOOGLE_DRIVE_API_URL || "https://www.googleapis.com"),
          accountsUrl: trimSlash(env.GOOGLE_ACCOUNTS_URL || "https://accounts.google.com"),
        }
      : undefined;
  return { dropbox, google_drive: google };
}

export const SERVICE_NAMES: Record<ServiceId, string> = { dropbox: "Dropbox", google_drive: "Google Drive" };
