import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { apiError, ERROR_DOMAIN, ErrorReason } from "@imagegen/errors";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import type {
  Completed,
  GenerateRequest,
  OutputImage,
  ProviderService,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

export interface ProviderJobResult {
  readonly images: OutputImage[];
  readonly completed?: Completed;
  readonly jobId?: string;
}

export interface ProviderJobOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly onProgress?: (fraction: number) => void;
  /**
   * Called as each image lands, so it can be stored and announced at once. `whileRunning`: it
   * came on the job's stream before the job ended (more may follow); false when the images came
   * together with the job's one answer (GenerateUnary).
   */
  readonly onImage?: (image: OutputImage, whileRunning: boolean) => Promise<void>;
  /** Trace context and request id, forwarded to the provider. */
  readonly headers?: Headers;
  /**
   * The model reports no progress (its vendor answers in one call): one unary GenerateUnary call
   * instead of a stream, far cheaper per job; images are then handed to `onImage` together.
   */
  readonly unary?: boolean;
}

/** Provider clients seen answering GenerateUnary as unimplemented (an older build): streamed from then on. */
const streamOnly = new WeakSet<Client<typeof ProviderService>>();

/**
 * Runs one job on a provider service and collects its images. A provider that cannot be
 * reached (or dies mid-stream) is UPSTREAM_UNAVAILABLE; errors the provider raised itself keep
 * their reason.
 */
export async function runProviderJob(
  providerId: string,
  client: Client<typeof ProviderService>,
  request: GenerateRequest,
  options: ProviderJobOptions,
): Promise<ProviderJobResult> {
  if (options.unary && !streamOnly.has(client)) {
    const answer = await generateUnary(providerId, client, request, options);
    if (answer) return answer;
    streamOnly.add(client);
  }
  const images: OutputImage[] = [];
  let completed: Completed | undefined;
  let jobId: string | undefined;
  try {
    for await (const event of client.generate(request, {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      headers: options.headers,
    })) {
      switch (event.event.case) {
        case "accepted":
          jobId = event.event.value.jobId;
          break;
        case "progress":
          options.onProgress?.(event.event.value.fraction);
          break;
        case "image":
          images.push(event.event.value);
          await options.onImage?.(event.event.value, true);
          break;
        case "completed":
          completed = event.event.value;
          break;
      }
    }
  } catch (error) {
    throw asProviderError(providerId, error, options.signal.aborted);
  }
  if (!completed || images.length === 0) throw finishedWithoutImage(providerId);
  return { images, completed, jobId };
}

// One call, every image at the end; undefined when the provider does not implement it.
async function generateUnary(
  providerId: string,
  client: Client<typeof ProviderService>,
  request: GenerateRequest,
  options: ProviderJobOptions,
): Promise<ProviderJobResult | undefined> {
  let answer;
  try {
    answer = await client.generateUnary(request, {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      headers: options.headers,
    });
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.Unimplemented && !isOurs(error)) return undefined;
    throw asProviderError(providerId, error, options.signal.aborted);
  }
  if (!answer.completed || answer.images.length === 0) throw finishedWithoutImage(providerId);
  for (const image of answer.images) await options.onImage?.(image, false);
  return { images: answer.images, completed: answer.completed, jobId: answer.jobId || undefined };
}

function finishedWithoutImage(providerId: string): unknown {
  return apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, `provider ${providerId} finished without an image`, {
    metadata: { provider: providerId },
  });
}

function isOurs(error: ConnectError): boolean {
  return error.findDetails(ErrorInfoSchema).some((i) => i.domain === ERROR_DOMAIN);
}

// `canceledByUs` tells a cancel we asked for from a stream the provider's death reset.
function asProviderError(providerId: string, error: unknown, canceledByUs: boolean): unknown {
  if (error instanceof ConnectError) {
    if (isOurs(error)) return error;
    if (error.code === Code.DeadlineExceeded) {
      return apiError(ErrorReason.TIMEOUT, `provider ${providerId} did not finish in time`, {
        metadata: { provider: providerId },
      });
    }
    if (error.code === Code.Canceled && canceledByUs) return apiError(ErrorReason.CANCELED, "the request was canceled");
  }
  return apiError(ErrorReason.UPSTREAM_UNAVAILABLE, `provider ${providerId} is unreachable`, {
    metadata: { provider: providerId },
    cause: error,
  });
}
