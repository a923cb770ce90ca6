import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { IntegrationService } from "@imagegen/proto/imagegen/v1/integration_service_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInMemoryFront, type InMemoryFront } from "./in-memory-front.ts";

// A deployment whose operator set no DROPBOX_* / GOOGLE_* credentials: the services are listed
// as not available and nothing reaches out to them.
let front: InMemoryFront;
beforeAll(async () => {
  front = await startInMemoryFront({ providers: [] });
});
afterAll(() => front?.close());

const client = () =>
  createClient(
    IntegrationService,
    createRouterTransport(front.app.routes, {
      router: { interceptors: [...front.app.interceptors] },
      transport: {
        interceptors: [
          (next) => (req) => (req.header.set("authorization", "Bearer in-memory-admin-key-0123456789"), next(req)),
        ],
      },
    }),
  );

async function refusal(call: Promise<unknown>): Promise<{ code: Code; reason: string }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error("the call was not refused");
  return { code: error.code, reason: error.findDetails(ErrorInfoSchema)[0]?.reason ?? "" };
}

describe("integrations without operator credentials", () => {
  it("lists both services as not available", async () => {
    const { services } = await client().listIntegrationServices({});
    expect(services.map((s) => [s.id, s.name, s.available])).toEqual([
      ["dropbox", "Dropbox", false],
      ["google_drive", "Google Drive", false],
    ]);
  });

  it("refuses connect and authorize-url with PROVIDER_NOT_CONFIGURED (HTTP 503)", async () => {
    expect(await refusal(client().createIntegration({ service: "dropbox", authCode: "abc" }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "PROVIDER_NOT_CONFIGURED",
    });
    expect(
      await refusal(client().getAuthorizeUrl({ service: "google_drive", redirectUri: "https://app.example/cb" })),
    ).toEqual({ code: Code.FailedPrecondition, reason: "PROVIDER_NOT_CONFIGURED" });
  });

  it("validates before anything else: an unknown service or an empty code is INVALID_ARGUMENT", async () => {
    expect((await refusal(client().createIntegration({ service: "box", authCode: "abc" }))).code).toBe(
      Code.InvalidArgument,
    );
    expect((await refusal(client().createIntegration({ service: "dropbox", authCode: "" }))).code).toBe(
      Code.InvalidArgument,
    );
    expect(
      (await refusal(client().createIntegration({ service: "dropbox", authCode: "x", codeVerifier: "short" }))).code,
    ).toBe(Code.InvalidArgument);
    expect(
      (
        await refusal(
          client().createIntegration({
            service: "dropbox",
            authCode: "x",
            settings: { folderPath: "no-leading-slash" },
          }),
        )
      ).code,
    ).toBe(Code.InvalidArgument);
  });

  it("answers NOT_FOUND for an integration that does not exist", async () => {
    expect(await refusal(client().getIntegration({ id: "int_missing" }))).toEqual({
      code: Code.NotFound,
      reason: "NOT_FOUND",
    });
    expect((await refusal(client().listIntegrationUploads({ id: "int_missing" }))).code).toBe(Code.NotFound);
  });
});
