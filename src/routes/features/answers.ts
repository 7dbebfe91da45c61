// What the feature routes and the `featureEnabled` gate answer, each said once.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";

export const featureAnswers = {
	list: answer(
		200,
		"feature.list",
		z.object({
			/** The guild whose values these are (the host's, for its members); null: the global values. */
			guild: z.object({ id: z.number(), slug: z.string() }).nullable(),
			/** Every flag by name: `{ "guild.custom_domains": true }`. */
			features: z.record(z.string(), z.boolean()),
		}),
	),
	/** A gated route whose flag is off where it was asked: as absent as a route that does not exist. */
	disabled: refusal(404, "feature.disabled", "This feature is not enabled here."),
};
