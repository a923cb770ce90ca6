import { createClient, type Client, type Transport } from "@connectrpc/connect";
import {
  ProviderService,
  type DescribeProviderResponse,
  type ProviderModel,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import {
  createInternalTransport,
  createServiceIdentityInterceptor,
  isUnprovenPeer,
  wasConnectionRefused,
  type Logger,
  type ServiceIdentity,
} from "@imagegen/server-kit";
import { createClientTracingInterceptor } from "@imagegen/telemetry";
import type { ProviderConfig } from "../catalog/catalog-config.ts";
import { CircuitBreaker } from "./circuit-breaker.ts";

/** What the front knows of one provider service right now. */
export interface ProviderState {
  readonly id: string;
  readonly client: Client<typeof ProviderService>;
  /** The last successful DescribeProvider answer; undefined while unreachable. */
  readonly description?: DescribeProviderResponse;
  /** Why it cannot serve, for the models list ("not running", "token not set"). */
  readonly problem?: string;
  /** DescribeProvider failures in a row; one miss under load does not take a provider out. */
  readonly misses?: number;
}

/**
 * Why a provider is not used when the process on its address cannot prove it belongs to this
 * deployment. The address goes to the log only: this reason is shown to API callers.
 */
export const UNPROVEN_PROVIDER_PROBLEM = "provider service could not prove it belongs to this deployment";

/** Describe failures in a row before a provider counts as gone. */
const MISSES_BEFORE_GONE = 2;
/** How often a provider that is down is looked at again. */
const RETRY_DOWN_MS = 2_000;
/**
 * A provider that answered a real call this recently is alive, whatever DescribeProvider says:
 * under thousands of calls in flight its describe can miss the 2 s deadline, and taking a
 * provider out for being busy would refuse exactly the traffic it is serving.
 */
const SERVING_IS_ALIVE_MS = 30_000;

/**
 * Keeps one client per configured provider service and a fresh view of what each declares.
 * Providers are separate processes that come and go (only those with a token are started), so
 * their state is polled, never assumed.
 */
export class ProviderDirectory {
  private readonly states = new Map<string, ProviderState>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly lastServedAt = new Map<string, number>();
  private readonly notStarted = new Set<string>();
  /** Providers that described themselves as configured at least once since this process started. */
  private readonly seenConfigured = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly urls = new Map<string, string>();
  private readonly logger: Logger;

  /**
   * `identity` is the front's: every call carries it, and a provider's answer is used only when
   * the provider proves it holds the same deployment secret.
   */
  constructor(
    configs: Iterable<Pick<ProviderConfig, "id" | "url" | "notStarted">>,
    logger: Logger,
    identity: ServiceIdentity,
    breaker: { threshold: number; cooldownMs: number } = { threshold: 5, cooldownMs: 30_000 },
    /** Replaces the network transport (the in-memory test level reaches fake providers). */
    transportFor?: (config: ProviderConfig) => Transport,
  ) {
    this.logger = logger;
    for (const config of configs) {
      const interceptors = [
        createClientTracingInterceptor({ peer: `provider-${config.id}`, provider: config.id }),
        // Innermost, so the call's span records an unproven provider as its error.
        createServiceIdentityInterceptor(identity, `provider-${config.id}`),
      ];
      const transport = transportFor?.(config as ProviderConfig) ?? createInternalTransport(config.url, interceptors);
      const client = createClient(ProviderService, transport);
      this.urls.set(config.id, config.url);
      this.states.set(config.id, {
        id: config.id,
        client,
        problem: config.notStarted ?? "provider service not reachable yet",
      });
      // Never described, so never usable: whatever listens on its URL is not this system's.
      if (config.notStarted) this.notStarted.add(config.id);
      this.breakers.set(config.id, new CircuitBreaker(breaker));
    }
  }

  /**
   * Describes every provider once, then again every `intervalMs` — every 2 s while one is down,
   * so a provider that starts late or restarts is back within seconds.
   */
  async start(intervalMs = 15_000): Promise<void> {
    await this.refresh();
    const next = (): void => {
      if (this.stopped) return;
      const anyDown = [...this.states.values()].some((s) => !s.description && !this.notStarted.has(s.id));
      this.timer = setTimeout(() => void this.refresh().finally(next), anyDown ? RETRY_DOWN_MS : intervalMs);
      this.timer.unref();
    };
    next();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * Tells the breaker how a call to a provider went. Only provider-side failures count
   * (unreachable, 5xx, timeouts, rate limits); a refused request says nothing about its health.
   */
  recordOutcome(id: string, providerFault: boolean): void {
    const breaker = this.breakers.get(id);
    if (!breaker) return;
    if (!providerFault) {
      breaker.success();
      this.lastServedAt.set(id, Date.now());
      return;
    }
    const before: string = breaker.state;
    breaker.failure();
    if (before !== "open" && breaker.state === "open") this.logger.warn("provider circuit opened", { provider: id });
  }

  async refresh(): Promise<void> {
    await Promise.all(
      [...this.states.values()]
        .filter((state) => !this.notStarted.has(state.id))
        .map(async (state) => {
          try {
            const description = await state.client.describeProvider({}, { timeoutMs: 2000 });
            const problem = description.configured ? undefined : description.statusReason || "provider not configured";
            if (!state.description)
              this.logger.info("provider online", { provider: state.id, configured: description.configured });
            if (description.configured) this.seenConfigured.add(state.id);
            this.states.set(state.id, { ...state, description, problem, misses: 0 });
          } catch (error) {
            if (isUnprovenPeer(error)) {
              // Not ours: never routed to, from the first answer on, whatever it served before.
              if (state.problem !== UNPROVEN_PROVIDER_PROBLEM) {
                this.logger.warn(
                  `provider at ${this.urls.get(state.id)} could not prove it belongs to this deployment; not routing to it`,
                  {
                    provider: state.id,
                  },
                );
              }
              this.states.set(state.id, {
                id: state.id,
                client: state.client,
                problem: UNPROVEN_PROVIDER_PROBLEM,
                misses: (state.misses ?? 0) + 1,
              });
              return;
            }
            const misses = (state.misses ?? 0) + 1;
            // A refused connection means the process is gone; a timeout may only mean it is busy.
            const serving =
              !wasConnectionRefused(error) && Date.now() - (this.lastServedAt.get(state.id) ?? 0) < SERVING_IS_ALIVE_MS;
            if (state.description && (misses < MISSES_BEFORE_GONE || serving)) {
              this.states.set(state.id, { ...state, misses });
              return;
            }
            if (state.description) this.logger.warn("provider unreachable", { provider: state.id });
            this.states.set(state.id, {
              id: state.id,
              client: state.client,
              problem: "provider service not running",
              misses,
            });
          }
        }),
    );
  }

  /**
   * True once the provider has said it holds its credentials, even if it is failing or gone
   * now: a configured provider that fails is an outage to report, not a reason to stand in.
   */
  wasConfigured(id: string): boolean {
    return this.seenConfigured.has(id);
  }

  get(id: string): ProviderState | undefined {
    return this.states.get(id);
  }

  /** True when the provider answers, has its credentials, and its circuit is not open. */
  isUsable(id: string): boolean {
    const state = this.states.get(id);
    return state?.description?.configured === true && this.breakers.get(id)?.wouldAllow() !== false;
  }

  /**
   * Why a provider cannot serve now, phrased for an operator and a caller alike, or undefined
   * when it can. An open circuit says so, with when it will be tried again.
   */
  problem(id: string): string | undefined {
    const state = this.states.get(id);
    if (!state) return "unknown provider";
    if (state.problem) return state.problem;
    const breaker = this.breakers.get(id);
    const waitMs = breaker?.msUntilTrial() ?? 0;
    if (breaker && waitMs > 0)
      return `circuit open after ${breaker.threshold} provider failures in a row; next trial in ${Math.ceil(waitMs / 1000)} s`;
    return undefined;
  }

  /** Seconds until an open circuit lets a trial through (for Retry-After); undefined unless open. */
  retryAfterSeconds(id: string): number | undefined {
    const waitMs = this.breakers.get(id)?.msUntilTrial() ?? 0;
    return waitMs > 0 ? Math.ceil(waitMs / 1000) : undefined;
  }

  /** The provider's declaration of one of its models, when it is usable. */
  model(providerId: string, modelId: string): ProviderModel | undefined {
    return this.states.get(providerId)?.description?.models.find((m) => m.id === modelId);
  }

  /** The providers not used because they could not prove they belong to this deployment. */
  unproven(): string[] {
    return [...this.states.values()].filter((s) => s.problem === UNPROVEN_PROVIDER_PROBLEM).map((s) => s.id);
  }

  /** True when at least one provider can serve (readiness). */
  anyUsable(): boolean {
    return [...this.states.keys()].some((id) => this.isUsable(id));
  }
}
