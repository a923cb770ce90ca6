import { surfacesSuite } from "./support/surfaces-suite.ts";

// Every public surface with the front as a process of its own (deploy/'s topology).
surfacesSuite({});
