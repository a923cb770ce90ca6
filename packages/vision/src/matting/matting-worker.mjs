// Worker entry: plain JS so it starts under `node`, tsx and vitest alike, then loads the TypeScript.
import { register } from "tsx/esm/api";

register();
await import("./matting-worker-main.ts");
