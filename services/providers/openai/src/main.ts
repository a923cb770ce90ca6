import { runProviderMain } from "@imagegen/provider-kit";
import { openAiProvider } from "./openai-provider.ts";

// Port: IMAGEGEN_PROVIDER_OPENAI_PORT (config/imagegen.yaml expects 8092).
await runProviderMain(openAiProvider, 8092);
