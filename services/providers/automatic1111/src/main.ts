import { runProviderMain } from "@imagegen/provider-kit";
import { createAutomatic1111Provider, withJoinedCredentials } from "./automatic1111-provider.ts";

// A1111_USERNAME/A1111_PASSWORD are read as A1111_API_AUTH ("user:pass"), so both are scrubbed from every signal.
Object.assign(process.env, withJoinedCredentials(process.env));
// Port: IMAGEGEN_PROVIDER_AUTOMATIC1111_PORT (config/imagegen.yaml expects 8096).
await runProviderMain(createAutomatic1111Provider(), 8096);
