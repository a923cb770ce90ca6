import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { UserService } from "@imagegen/proto/imagegen/v1/user_service_pb";
import type { Principal } from "../auth/principal.ts";
import type { ProfileStore } from "../profile/profile-store.ts";
import type { UsageTotals } from "../store/usage-totals.ts";
import { principalOf } from "./principal-of.ts";

export interface UserServiceDeps {
  readonly profiles: ProfileStore;
  /** Monthly credits of a caller (its key's quota or its tier's). */
  readonly monthlyCredits: (principal: Principal) => number;
  readonly storageLimitMb: number;
  /** The owner's usage, from the generation store (Store.usageTotals). */
  readonly usage: (owner: string) => Promise<UsageTotals>;
}

const MB = 1024 * 1024;

/** UserService: the key owner's profile, usage and the preferences applied to their requests. */
export function registerUserService(router: ConnectRouter, deps: UserServiceDeps): void {
  const profile = async (principal: Principal) => {
    const [usage, prefs] = await Promise.all([deps.usage(principal.owner), deps.profiles.preferences(principal.owner)]);
    return {
      user: {
        id: principal.owner,
        username: principal.owner,
        createdAt: usage.firstSeen === undefined ? undefined : timestampFromMs(usage.firstSeen),
        subscription: { plan: principal.tier, status: "active" },
        usage: {
          imagesGeneratedToday: usage.imagesToday,
          imagesGeneratedMonth: usage.imagesMonth,
          creditsRemaining: Math.max(0, deps.monthlyCredits(principal) - usage.creditsMonth),
          storageUsedMb: Math.round((usage.storageBytes / MB) * 100) / 100,
          storageLimitMb: deps.storageLimitMb,
        },
        preferences: prefs,
      },
    };
  };
  router.service(UserService, {
    getProfile: (_, ctx) => profile(principalOf(ctx)),
    async updatePreferences(req, ctx) {
      const principal = principalOf(ctx);
      const p = req.preferences;
      await deps.profiles.savePreferences(principal.owner, {
        defaultModel: p?.defaultModel ?? "",
        defaultSize: p?.defaultSize ?? "",
        nsfwFilter: p?.nsfwFilter ?? true,
        autoSaveGallery: p?.autoSaveGallery ?? false,
      });
      return profile(principal);
    },
  });
}
