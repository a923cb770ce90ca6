import { describeError } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import type { ModelCatalog } from "../catalog/model-catalog.ts";
import { resolveModel } from "./resolve-model.ts";

// Only the two lookups resolveModel uses; the catalog itself is covered by the system tests.
const catalog = {
  useCase: (name: string) =>
    ({ text2image: { name, model: "dall-e-3", provider: "openrouter" }, empty: { name, model: "", provider: "" } })[
      name
    ],
  defaultModelFor: (provider: string) => `${provider}-default`,
} as unknown as ModelCatalog;
const fallback = () => "catalog-default";
const req = (fields: Partial<{ model: string; provider: string; useCase: string }>) => ({
  model: "",
  provider: "",
  useCase: "",
  ...fields,
});

describe("resolveModel", () => {
  it.each([
    ["the request's own model", req({ model: "local" }), { model: "local" }],
    ["the caller's or catalog default", req({}), { model: "catalog-default" }],
    [
      "the configured use case, with its provider pin",
      req({ useCase: "text2image" }),
      { model: "dall-e-3", provider: "openrouter" },
    ],
    [
      "an explicit model and provider over the use case's",
      req({ useCase: "text2image", model: "local", provider: "local" }),
      { model: "local", provider: "local" },
    ],
    ["the pinned provider's default model", req({ provider: "bfl" }), { model: "bfl-default", provider: "bfl" }],
    [
      "a pinned provider with an explicit model",
      req({ provider: "replicate", model: "flux-schnell" }),
      { model: "flux-schnell", provider: "replicate" },
    ],
  ])("picks %s", (_name, request, expected) => {
    expect(resolveModel(catalog, request, fallback)).toEqual(expected);
  });

  it.each(["missing", "empty"])("refuses a use case that is %s with NOT_FOUND naming it", (useCase) => {
    const error = (() => {
      try {
        resolveModel(catalog, req({ useCase }), fallback);
      } catch (e) {
        return e;
      }
    })();
    const described = describeError(error);
    expect([described.row.name, described.metadata.use_case]).toEqual(["NOT_FOUND", useCase]);
  });
});
