// The feature flags the code reads, with the value each has until a platform admin sets one; and the flag name rule.

/** Lower-case letters, digits, `_`, `.` and `-`, starting with a letter, 2–63 characters: `guild.custom_domains`. */
export const flagNamePattern = /^[a-z][a-z0-9_.-]{1,62}$/;

export interface KnownFlag {
	readonly description: string;
	/** The global value while `feature_flags` has no row for the flag. */
	readonly enabled: boolean;
}

/**
 * Flags the code gates something with (`featureEnabled(name)`): they exist before anyone sets them, so a fresh
 * database, or one whose flags were never touched, behaves as the code's defaults say.
 */
export const knownFlags = {
	"guild.custom_domains": {
		description: "Guilds may register custom domains (GET, POST and DELETE /api/guilds/{guildId}/domains).",
		enabled: true,
	},
} as const satisfies Record<string, KnownFlag>;

export type KnownFlagName = keyof typeof knownFlags;
