import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { createOpenAiRoutes } from "./openai/routes.ts";
import { createSeed000Routes } from "./seed-000/routes.ts";
import { createSeed001Routes } from "./seed-001/routes.ts";
import { createSeed002Routes } from "./seed-002/routes.ts";
import { createSeed003Routes } from "./seed-003/routes.ts";
import type { CompatDeps } from "./shared/compat-deps.ts";

export type { CompatDeps } from "./shared/compat-deps.ts";

/**
 * Every compat profile as one edge route handler: each profile claims its exact paths and
 * answers in its own documented shapes; anything else falls through (returns false).
 */
export function createCompatRoutes(deps: CompatDeps) {
  const profiles = [
    createOpenAiRoutes(deps),
    createSeed001Routes(deps),
    createSeed002Routes(deps),
    createSeed003Routes(deps),
    createSeed000Routes(deps),
  ];
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    for (const profile of profiles) {
      if (await profile(req, res, url)) return true;
    }
    return false;
  };
}
