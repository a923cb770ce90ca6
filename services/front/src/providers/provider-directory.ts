import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  ProviderService,
  type DescribeProviderResponse,
  type ProviderModel,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { Logger } from "@imagegen/server-kit";
import type { ProviderConfig } from "../catalog/catalog-config.ts";

/** What the front knows of one provider service right now. */
export interface ProviderState {
  readonly id: string;
  readonly client: Client<typeof ProviderService>;
  /** The last successful DescribeProvider answer; undefined while unreachable. */
  readonly description?: DescribeProviderResponse;
  /** Why it cannot serve, for the models list ("not running", "token not set"). */
  readonly problem?: string;
}

/**
 * Keeps one client per configured provider service and a fresh view of what each declares.
 * Providers are separate processes that come and go (only those with a token are started), so
 * their state is polled, never assumed.
 */
export class ProviderDirectory {
  private readonly states = new Map<string, ProviderState>();
  private timer?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(configs: Iterable<ProviderConfig>, logger: Logger) {
    this.logger = logger;
    for (const config of configs) {
      const client = createClient(ProviderService, createGrpcTransport({ baseUrl: config.url }));
      this.states.set(config.id, { id: config.id, client, problem: "provider service not reachable yet" });
    }
  }

  /** Describes every provider once, then again every `intervalMs`. */
  async start(intervalMs = 15_000): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    await Promise.all(
      [...this.states.values()].map(async (state) => {
        try {
          const description = await state.client.describeProvider({}, { timeoutMs: 2000 });
          const problem = description.configured ? undefined : description.statusReason || "provider not configured";
          if (!state.description) this.logger.info("provider online", { provider: state.id, configured: description.configured });
          this.states.set(state.id, { ...state, description, problem });
        } catch {
          if (state.description) this.logger.warn("provider unreachable", { provider: state.id });
          this.states.set(state.id, { id: state.id, client: state.client, problem: "provider service not running" });
        }
      }),
    );
  }

  get(id: string): ProviderState | undefined {
    return this.states.get(id);
  }

  /** True when the provider answers and has its credentials. */
  isUsable(id: string): boolean {
    const state = this.states.get(id);
    return state?.description?.configured === true;
  }

  /** The provider's declaration of one of its models, when it is usable. */
  model(providerId: string, modelId: string): ProviderModel | undefined {
    return this.states.get(providerId)?.description?.models.find((m) => m.id === modelId);
  }

  /** True when at least one provider can serve (readiness). */
  anyUsable(): boolean {
    return [...this.states.keys()].some((id) => this.isUsable(id));
  }
}
