import { fileURLToPath } from "node:url";

/**
 * The Scalar standalone bundle, served from node_modules (never a CDN). The package does not
 * export it, so it is found next to its main entry (dist/index.js → dist/browser/).
 */
export const SCALAR_BUNDLE = fileURLToPath(
  new URL("./browser/standalone.js", import.meta.resolve("@scalar/api-reference")),
);

// Everything that would reach outside is switched off: fonts (Google Fonts), telemetry, the
// AI agent and MCP buttons, the developer toolbar, and the dashboard/registry/proxy URLs.
// proxyUrl must be "" rather than absent: absent means https://proxy.scalar.com for the
// "Test request" client, which then would send the caller's key through a third party.
const CONFIG = {
  url: "/openapi.json",
  proxyUrl: "",
  externalUrls: { dashboardUrl: "", registryUrl: "", proxyUrl: "", apiBaseUrl: "" },
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  hideDownloadButton: false,
  persistAuth: false,
  defaultOpenAllTags: false,
  metaData: { title: "imagegen API reference" },
};

/** The /docs page: Scalar's API reference over /openapi.json, with a bar linking the guides. */
export function referencePageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>imagegen API reference</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; }
  nav.imagegen-bar { display: flex; gap: 1rem; padding: .5rem 1rem; background: #111827; color: #e5e7eb; font-size: 14px; }
  nav.imagegen-bar a { color: #93c5fd; text-decoration: none; }
</style>
</head>
<body>
<nav class="imagegen-bar"><strong>imagegen</strong>
  <a href="/docs/guides">Guides</a><a href="/docs/errors">Errors</a><a href="/playground">Playground</a><a href="/openapi.json">openapi.json</a>
</nav>
<div id="app"></div>
<script src="/docs/assets/scalar-standalone.js"></script>
<script>Scalar.createApiReference("#app", ${JSON.stringify(CONFIG)});</script>
</body>
</html>
`;
}
