import { runProviderMain } from "@imagegen/provider-kit";
import { openRouterProvider } from "./openrouter-provider.ts";

// Port: IMAGEGEN_PROVIDER_OPENROUTER_PORT (config/imagegen.yaml expects 8094).
await runProviderMain(openRouterProvider, 8094);
