import { createClient, type Client } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { ProviderService } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { Logger, LogFields } from "@imagegen/server-kit";
import { createDualProtocolServer } from "@imagegen/server-kit";
import type { ServiceImpl } from "@connectrpc/connect";

/** A provider service on a real gRPC server (port 0) and a gRPC client to it. */
export interface ServedProvider {
  readonly client: Client<typeof ProviderService>;
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `service` the way a provider process does, over HTTP/2 gRPC on a free loopback port. */
export async function serveProvider(service: ServiceImpl<typeof ProviderService>): Promise<ServedProvider> {
  const server = createDualProtocolServer(
    connectNodeAdapter({ routes: (router) => router.service(ProviderService, service) }),
  );
  const port = await server.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  return {
    client: createClient(ProviderService, createGrpcTransport({ baseUrl: url })),
    url,
    close: () => server.close(1000),
  };
}

/** A logger that keeps every line as JSON text, for assertions (e.g. no token anywhere). */
export function createCapturingLogger(
  lines: string[] = [],
  base: LogFields = {},
): Logger & { readonly lines: string[] } {
  const write = (level: string) => (msg: string, fields?: LogFields) => {
    lines.push(JSON.stringify({ level, msg, ...base, ...fields }));
  };
  return {
    lines,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    with: (fields) => createCapturingLogger(lines, { ...base, ...fields }),
  };
}
