// The feature gate, built once per app: `featureEnabled(flag)` is a preset of the `featureEnabled` checker that lets a
// route run only where the flag is on, for the guild its input names.
import { createFeatureEnabled } from "../../checkers/feature-enabled.js";
import { createPresetChecker } from "../../core/index.js";
import type { FeatureFlagService } from "../../services/feature-flags.js";
import type { KnownFlagName } from "../../tenancy/feature-flag-catalog.js";
import { featureAnswers } from "./answers.js";

export function createFeatureGuards(flags: Pick<FeatureFlagService, "isEnabled">) {
	const featureEnabledChecker = createFeatureEnabled(flags);
	const presets = new Map<KnownFlagName, ReturnType<typeof preset>>();
	const preset = (flag: KnownFlagName) =>
		createPresetChecker(featureEnabledChecker, {
			result: "feature.enabled",
			catch: featureAnswers.disabled,
			options: { flag },
		});
	return {
		/**
		 * `.presetCheck(featureEnabled("guild.custom_domains"), (pickup) => pickup("guildId"))`: 404 feature.disabled
		 * unless the flag is on for that guild (null: the global value). Put it after the rights check, so that callers
		 * who may not see the guild learn nothing of its flags.
		 */
		featureEnabled(flag: KnownFlagName) {
			const found = presets.get(flag);
			if (found !== undefined) return found;
			const made = preset(flag);
			presets.set(flag, made);
			return made;
		},
	};
}

export type FeatureGuards = ReturnType<typeof createFeatureGuards>;
