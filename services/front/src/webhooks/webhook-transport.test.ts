import { describeError } from "@imagegen/errors";
import { afterEach, describe, expect, it } from "vitest";
import { checkWebhookUrl } from "./webhook-transport.ts";

/** The check's refusal as the API describes it, or undefined when the URL passes. */
async function refusal(url: string, field?: string) {
  return checkWebhookUrl(url, field).then(
    () => undefined,
    (e: unknown) => describeError(e),
  );
}

describe("checkWebhookUrl (registered url and per-request webhook_url alike)", () => {
  const allowed = process.env.IMAGEGEN_FETCH_ALLOW_HOSTS;
  afterEach(() => {
    if (allowed === undefined) delete process.env.IMAGEGEN_FETCH_ALLOW_HOSTS;
    else process.env.IMAGEGEN_FETCH_ALLOW_HOSTS = allowed;
  });

  it.each([
    ["file:///etc/passwd", "file: URLs are not fetched"],
    ["gopher://x", "gopher: URLs are not fetched"],
    ["http://127.0.0.1:1/", "public address"],
    ["http://169.254.169.254/latest/meta-data", "public address"],
    ["http://[::1]/", "public address"],
    ["http://[::ffff:169.254.169.254]/", "public address"],
    ["http://0x7f000001/", "public address"],
    ["http://localhost:8080/", "public address"],
    ["https://user:pw@example.com/", "credentials"],
    ["not a url", "not a valid URL"],
  ])("refuses %s with INVALID_REQUEST naming the field it was given", async (url, why) => {
    delete process.env.IMAGEGEN_FETCH_ALLOW_HOSTS;
    const error = await refusal(url, "webhook_url");
    expect(error?.row.name).toBe("INVALID_REQUEST");
    expect(error?.message).toContain(why);
    expect(error?.fieldViolations).toEqual([{ field: "webhook_url", description: error?.message, rule: "url.public" }]);
  });

  it("names `url` by default (the registered webhook's field)", async () => {
    expect((await refusal("gopher://x"))?.fieldViolations[0]?.field).toBe("url");
  });

  it("passes a public address, and an internal one the operator allowed by host:port only", async () => {
    delete process.env.IMAGEGEN_FETCH_ALLOW_HOSTS;
    expect(await refusal("https://93.184.215.14/hook")).toBeUndefined();
    process.env.IMAGEGEN_FETCH_ALLOW_HOSTS = "127.0.0.1:9999";
    expect(await refusal("http://127.0.0.1:9999/hook")).toBeUndefined();
    expect(await refusal("http://127.0.0.1:1/")).toBeDefined();
  });
});
