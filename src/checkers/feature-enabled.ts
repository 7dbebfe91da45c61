// Checker `featureEnabled`: whether a feature flag (the option `flag`) is on for a guild (the input; null: no guild).
import { createChecker } from "../core/index.js";
import type { FeatureFlagService } from "../services/feature-flags.js";
import type { KnownFlagName } from "../tenancy/feature-flag-catalog.js";

export function createFeatureEnabled(flags: Pick<FeatureFlagService, "isEnabled">) {
	return createChecker("featureEnabled")
		.options({ flag: undefined as KnownFlagName | undefined })
		.handler((guildId: number | null, output, { flag }) => {
			if (flag === undefined) throw new Error("featureEnabled needs the option `flag`");
			// Synchronous while the flags are cached: a gated route pays a map look-up, not a query.
			const enabled = flags.isEnabled(flag, guildId);
			if (enabled instanceof Promise)
				return enabled.then((on) => (on ? output("feature.enabled", flag) : output("feature.disabled", flag)));
			return enabled ? output("feature.enabled", flag) : output("feature.disabled", flag);
		});
}

export type FeatureEnabled = ReturnType<typeof createFeatureEnabled>;
