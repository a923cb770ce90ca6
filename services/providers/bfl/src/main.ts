import { runProviderMain } from "@imagegen/provider-kit";
import { bflProvider } from "./bfl-provider.ts";

// Port: IMAGEGEN_PROVIDER_BFL_PORT (config/imagegen.yaml expects 8095).
await runProviderMain(bflProvider, 8095);
