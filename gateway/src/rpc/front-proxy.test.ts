import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { ImageService, TextToImageRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { describe, expect, it } from "vitest";
import { callFrontUnary } from "./front-proxy.ts";
import { withoutLink } from "./recoverable-call.ts";

/** A front whose first call drops under way (a reset link), recording each request it got. */
function droppingFront(requestIds: string[]): Transport {
  const unary = async (_method: unknown, _signal: unknown, _timeout: unknown, _header: unknown, input: never) => {
    requestIds.push((input as { requestId: string }).requestId);
    if (requestIds.length === 1) throw new ConnectError("stream reset", Code.Canceled);
    return { message: { id: "gen_1" }, header: new Headers(), trailer: new Headers() } as never;
  };
  return { unary, stream: unary } as unknown as Transport;
}

const textToImage = () => create(TextToImageRequestSchema, { prompt: "a blue square", model: "gpt-image-1" });
const options = () => ({
  requestHeaders: new Headers(),
  signal: new AbortController().signal,
  responseHeaders: new Headers(),
});

describe("a creation call to the front", () => {
  it("over a link: gets an edge request_id and is sent once more under it when the link drops", async () => {
    const requestIds: string[] = [];
    await callFrontUnary(droppingFront(requestIds), ImageService.method.textToImage, textToImage(), options());
    expect(requestIds).toHaveLength(2);
    expect(requestIds[0]).toMatch(/^edge_[0-9a-f-]{36}$/);
    expect(requestIds[1]).toBe(requestIds[0]);
  });

  it("to the front in this process: left as the client sent it (nothing to recover, no idempotency claim)", async () => {
    const requestIds: string[] = [];
    const front = withoutLink(droppingFront(requestIds));
    // The same drop is the caller's error at once: not sent again.
    await expect(callFrontUnary(front, ImageService.method.textToImage, textToImage(), options())).rejects.toThrow();
    expect(requestIds).toEqual([""]);
    // A client's own request_id still reaches the front as its idempotency key.
    const own = create(TextToImageRequestSchema, { prompt: "a blue square", requestId: "client-1" });
    await callFrontUnary(front, ImageService.method.textToImage, own, options());
    expect(requestIds.at(-1)).toBe("client-1");
  });
});
