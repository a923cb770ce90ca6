// The plugin executable: buf runs it as `local: [node, --import, tsx, <this file>]` (buf.gen.yaml).
import { runNodeJs } from "@bufbuild/protoplugin";
import { protocGenOpenApi } from "./plugin.ts";

runNodeJs(protocGenOpenApi);
