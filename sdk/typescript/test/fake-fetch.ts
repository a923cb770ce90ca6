/** One request the fake saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: string | undefined;
}

/** A fetch that answers from a script, one Response factory per call, and records each request. */
export function scriptedFetch(answers: ((request: SeenRequest) => Response | Promise<Response>)[]) {
  const seen: SeenRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request: SeenRequest = {
      method: init?.method ?? "GET",
      url: String(input),
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : undefined,
    };
    seen.push(request);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${request.method} ${request.url}`);
    return answer(request);
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

export const envelope = (
  status: number,
  code: string,
  type: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response =>
  json(
    status,
    {
      error: {
        type,
        code,
        message: `${code} happened`,
        details: {},
        request_id: "req_abc",
        documentation_url: `/docs/errors#${code}`,
        ...extra,
      },
    },
    headers,
  );

export const generation = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "gen_1",
  status: "completed",
  model: "local",
  images: [
    {
      id: "img_1",
      url: "http://x/images/1.png",
      width: 64,
      height: 64,
      size_bytes: 100,
      format: "png",
      nsfw_score: 0,
      aesthetic_score: 0,
    },
  ],
  metadata: { user_id: "u1", nested_key: { keep_me: 1 } },
  operation: "text-to-image",
  provider: "local",
  progress: 1,
  prompt: "p",
  cached: false,
  cache_key: "",
  ...over,
});
