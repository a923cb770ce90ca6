const FAILURE_PAUSE_MS = 50;

/** One request of the load and what its caller saw. */
export interface Outcome {
  /** What was asked, e.g. "generate" or "list". */
  readonly kind: string;
  /** The HTTP status; 0 when no answer came (connection error or our timeout). */
  readonly status: number;
  /** The seed-004 envelope's error.code, or the fetch failure's name when status is 0. */
  readonly code?: string;
  readonly message?: string;
  readonly body?: Record<string, any>;
  /** When it was sent and how long it took, ms. */
  readonly at: number;
  readonly ms: number;
}

/** One request a worker sends: a REST call on the system under test. */
export interface LoadRequest {
  readonly kind: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
}

export interface SteadyLoad {
  readonly outcomes: readonly Outcome[];
  /** Lets every worker finish its current request, then resolves. */
  stop(): Promise<void>;
}

/**
 * Keeps `concurrency` callers busy, each sending the next of `plan`'s requests as soon as its
 * previous one was answered, every request bounded by `timeoutMs` so a hang shows up as an
 * outcome (status 0) instead of a stuck test.
 */
export function startSteadyLoad(options: {
  readonly baseUrl: string;
  readonly key: string;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly plan: (worker: number, iteration: number) => LoadRequest;
}): SteadyLoad {
  const outcomes: Outcome[] = [];
  let running = true;
  const worker = async (n: number): Promise<void> => {
    for (let i = 0; running; i++) {
      const outcome = await send(options, options.plan(n, i));
      outcomes.push(outcome);
      // Back off a little after a failure, as a client would: a refused request is answered at
      // once, and without a pause an outage turns the load into a busy loop.
      if (outcome.status !== 200) await new Promise((resolve) => setTimeout(resolve, FAILURE_PAUSE_MS));
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, n) => worker(n));
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

async function send(
  options: { baseUrl: string; key: string; timeoutMs: number },
  request: LoadRequest,
): Promise<Outcome> {
  const at = Date.now();
  try {
    const res = await fetch(options.baseUrl + request.path, {
      method: request.method,
      headers: { authorization: `Bearer ${options.key}`, "content-type": "application/json" },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as Record<string, any>) : undefined;
    return {
      kind: request.kind,
      status: res.status,
      code: body?.error?.code,
      message: body?.error?.message,
      body,
      at,
      ms: Date.now() - at,
    };
  } catch (error) {
    return {
      kind: request.kind,
      status: 0,
      code: (error as Error).name,
      message: (error as Error).message,
      at,
      ms: Date.now() - at,
    };
  }
}
