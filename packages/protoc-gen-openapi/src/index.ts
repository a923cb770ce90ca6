/** The OpenAPI generator as a library (the plugin executable is main.ts). */
export { buildOpenApi, DOCUMENTED_PACKAGES } from "./document.ts";
export { EXAMPLES } from "./examples.ts";
export { errorTable, type ErrorTableRow } from "./errors.ts";
export { API_VERSION, OUTPUT_FILE, protocGenOpenApi } from "./plugin.ts";
