import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One delivery as the receiver got it. */
export interface ReceivedDelivery {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`; deliveries to any path under it are recorded. */
  readonly url: string;
  readonly port: number;
  /** Every delivery in arrival order, failed ones included. */
  readonly received: ReceivedDelivery[];
  close(): void;
}

/**
 * A webhook target on a loopback port that records every delivery and answers 204, except that
 * `/flaky` fails (500) the first delivery of each `webhook-id`, to exercise retries.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const failedOnce = new Set<string>();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      const id = String(req.headers["webhook-id"]);
      if (req.url === "/flaky" && !failedOnce.has(id)) {
        failedOnce.add(id);
        res.writeHead(500).end();
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, received, close: () => server.close() };
}
