import { describe, expect, it } from "vitest";
import { matchPathTemplate, parsePathTemplate } from "./path-template.ts";

describe("path templates", () => {
  const cases: Array<[template: string, path: string, expected: Record<string, string> | undefined]> = [
    ["/api/v2/models", "/api/v2/models", {}],
    ["/api/v2/models/{model_id}", "/api/v2/models/stable-diffusion-xl", { model_id: "stable-diffusion-xl" }],
    ["/api/v2/models/{model_id}", "/api/v2/models/a%2Fb", { model_id: "a/b" }],
    ["/api/v2/models/{model_id}", "/api/v2/models/", undefined],
    ["/api/v2/models/{model_id}", "/api/v2/models/a/b", undefined],
    ["/api/v2/generations/{id}:cancel", "/api/v2/generations/gen_1:cancel", { id: "gen_1" }],
    ["/api/v2/generations/{id}:cancel", "/api/v2/generations/gen_1", undefined],
    ["/api/v2/generations/{id}", "/api/v2/generations/gen_1:cancel", undefined],
    ["/v1/{name=collections/*}", "/v1/collections/c1", { name: "collections/c1" }],
    ["/files/{path=**}", "/files/a/b/c.png", { path: "a/b/c.png" }],
    ["/api/v2/models/{model_id}", "/api/v2/models/%E0%A4%A", undefined],
  ];
  it.each(cases)("%s matches %s", (template, path, expected) => {
    const bindings = matchPathTemplate(parsePathTemplate(template), path);
    expect(bindings && Object.fromEntries(bindings)).toEqual(expected);
  });

  it("ranks literal segments above variables", () => {
    expect(parsePathTemplate("/a/b").specificity).toBeGreaterThan(parsePathTemplate("/a/{x}").specificity);
  });

  it("rejects malformed templates", () => {
    expect(() => parsePathTemplate("api/v2")).toThrow(/must start with/);
    expect(() => parsePathTemplate("/a//b")).toThrow(/bad segment/);
  });
});
