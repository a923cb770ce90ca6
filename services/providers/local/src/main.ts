import { runProviderMain } from "@imagegen/provider-kit";
import { closeBackgroundRemoval } from "./background-removal-model.ts";
import { localProvider } from "./local-provider.ts";
import { closeSuperResolution } from "./super-resolution-model.ts";

// Port: IMAGEGEN_PROVIDER_LOCAL_PORT (config/imagegen.yaml expects 8090). The model workers
// (super-resolution, background removal) are stopped with the server.
await runProviderMain(localProvider, 8090, {
  onShutdown: () => Promise.all([closeSuperResolution(), closeBackgroundRemoval()]).then(() => undefined),
});
