import { runProviderMain } from "@imagegen/provider-kit";
import { stabilityProvider } from "./stability-provider.ts";

// Port: IMAGEGEN_PROVIDER_STABILITY_PORT (config/imagegen.yaml expects 8093).
await runProviderMain(stabilityProvider, 8093);
