import { runProviderMain } from "@imagegen/provider-kit";
import { replicateProvider } from "./replicate-provider.ts";

// Port: IMAGEGEN_PROVIDER_REPLICATE_PORT (config/imagegen.yaml expects 8091).
await runProviderMain(replicateProvider, 8091);
