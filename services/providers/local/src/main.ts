import { runProviderMain } from "@imagegen/provider-kit";
import { localProvider } from "./local-provider.ts";
import { closeSuperResolution } from "./super-resolution-model.ts";

// Port: IMAGEGEN_PROVIDER_LOCAL_PORT (config/imagegen.yaml expects 8090). The super-resolution
// worker is stopped with the server.
await runProviderMain(localProvider, 8090, { onShutdown: closeSuperResolution });
