import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { AdminService } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { GalleryService } from "@imagegen/proto/imagegen/v1/gallery_service_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { OAuthAppService } from "@imagegen/proto/imagegen/v1/oauth_app_service_pb";
import { UserService } from "@imagegen/proto/imagegen/v1/user_service_pb";
import { WebhookService } from "@imagegen/proto/imagegen/v1/webhook_service_pb";
import { describe, expect, it } from "vitest";
import { checkTokenScope } from "../auth/token-scope.ts";
import { OAUTH_SCOPE_NAMES, requiredScope } from "./oauth-scopes.ts";

describe("OAuth scopes", () => {
  it("gives every public RPC a scope, except those only an API key may call", () => {
    const keyOnly = ["imagegen.v1.UserService/UpdatePreferences"];
    for (const service of [ImageService, ModelService, GalleryService, WebhookService, UserService]) {
      for (const method of service.methods) {
        const name = `${service.typeName}/${method.name}`;
        if (keyOnly.includes(name)) expect(requiredScope(service.typeName, method.name), name).toBeUndefined();
        else expect(OAUTH_SCOPE_NAMES, name).toContain(requiredScope(service.typeName, method.name));
      }
    }
    for (const service of [OAuthAppService, AdminService]) {
      for (const method of service.methods) expect(requiredScope(service.typeName, method.name)).toBeUndefined();
    }
    // An RPC nobody listed yet (a new service) is closed to tokens.
    expect(requiredScope("imagegen.v1.SomethingNew", "DoIt")).toBeUndefined();
  });

  it("refuses a token without the scope with FORBIDDEN naming exactly that scope, and passes one with it", () => {
    const error = ConnectError.from(
      (() => {
        try {
          checkTokenScope(["models:read"], "imagegen.v1.ImageService", "TextToImage");
        } catch (e) {
          return e;
        }
      })(),
    );
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toBe('this access token lacks the scope "images:generate"');
    expect(() => checkTokenScope(["images:generate"], "imagegen.v1.ImageService", "TextToImage")).not.toThrow();
    expect(() => checkTokenScope([], "imagegen.edge.v1.EdgeService", "CheckCredential")).not.toThrow();
    expect(() => checkTokenScope(OAUTH_SCOPE_NAMES, "imagegen.v1.OAuthAppService", "ListOAuthApps")).toThrow(
      /needs an API key/,
    );
  });

  it("are the scopes the OpenAPI document declares for its oauth2 scheme", () => {
    const doc = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../../../packages/proto/openapi/openapi.json"), "utf8"),
    );
    const scheme = doc.components.securitySchemes.oauth2;
    expect(Object.keys(scheme.flows.authorizationCode.scopes).sort()).toEqual([...OAUTH_SCOPE_NAMES].sort());
    expect(Object.keys(scheme.flows.clientCredentials.scopes).sort()).toEqual([...OAUTH_SCOPE_NAMES].sort());
    expect(doc.security).toContainEqual({ oauth2: [] });
  });
});
