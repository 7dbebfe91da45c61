// What host resolution answers, each said once: the two app-wide refusals (every route may give them) and the redirect.
import { type ErrorAnswer, refusal } from "../core/index.js";

/** Thrown by the resolver: the host (or X-Guild) names no guild, or a custom domain not activated yet. */
export class UnknownHostError extends Error {
	override readonly name = "UnknownHostError";
}

/** Thrown by the resolver: the Host header is not a host name (bad characters, empty label, bad port, two of them). */
export class InvalidHostError extends Error {
	override readonly name = "InvalidHostError";
}

const unknownHostInfo = "guild.unknown_host";

export const hostAnswers = {
	unknownHost: {
		code: 404,
		info: unknownHostInfo,
		message: "No guild is served at this host.",
		// Anyone may send any Host: one warning with a stack per such request would flood the logs.
		logLevel: "debug",
		matches: (error) => error instanceof UnknownHostError,
	},
	invalidHost: {
		code: 400,
		info: "host.invalid",
		message: "The Host header is not a valid host name.",
		logLevel: "debug",
		matches: (error) => error instanceof InvalidHostError,
	},
	/** `guildFromHost` on the bare domain without X-Guild: the same info, since this host names no guild either. */
	noGuild: refusal(
		404,
		unknownHostInfo,
		"This route needs a guild's host: <slug>.<base domain>, or X-Guild on the base domain.",
	),
} satisfies Record<string, ErrorAnswer | ReturnType<typeof refusal>>;

/** A previous slug's host, while it redirects: 308 keeps the method and the body. */
export const guildMovedInfo = "guild.moved";
