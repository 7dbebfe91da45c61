// Identity settings resolved once from the config (lifetimes, password cost, cookie and origin rules), and the clock.
import type { Config } from "../config.js";
import { type Keyring, keyringFromConfig } from "../secrets/keyring.js";
import { defaultScryptParams, type ScryptParams } from "./passwords.js";

/** Services read the time from here, never from `new Date()`, so tests can move it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export type IdentityConfig = Pick<Config, "APP_ENV"> &
	Partial<
		Pick<
			Config,
			| "ACCESS_TOKEN_TTL_SECONDS"
			| "REFRESH_TOKEN_TTL_SECONDS"
			| "PASSWORD_HASH_COST"
			| "SESSION_COOKIE_SECURE"
			| "ALLOWED_ORIGINS"
			| "LOGIN_MAX_FAILURES"
			| "LOGIN_WINDOW_SECONDS"
			| "SECRETS_KEY"
			| "SECRETS_KEYS_PREVIOUS"
			| "ADMIN_EMAILS"
		>
	>;

export interface IdentitySettings {
	accessTokenTtlMs: number;
	refreshTokenTtlMs: number;
	passwordParams: ScryptParams;
	cookieSecure: boolean;
	/** Origins besides the request's own host that may send cookie-authenticated unsafe requests. */
	allowedOrigins: readonly string[];
	loginMaxFailures: number;
	loginWindowMs: number;
	/**
	 * Seals TOTP secrets at rest: SECRETS_KEY, or the development key outside PROD. Resolved on first use, so an app
	 * built only to read its routes (the OpenAPI script, benchmarks) needs no key; loadConfig already refuses a PROD
	 * start without one, and a PROD app built without one throws at its first 2FA operation.
	 */
	secrets: () => Keyring;
	/** The issue fixes these three; they are not worth a variable each. */
	resetTokenTtlMs: number;
	challengeTtlMs: number;
	invitationTtlMs: number;
	/** Wrong TOTP codes a login challenge survives. */
	challengeMaxFailures: number;
	/** Lower-cased emails of the platform administrators (ADMIN_EMAILS): they see every job and start syncs. */
	adminEmails: ReadonlySet<string>;
}

const minute = 60_000;

export function identitySettings(config: IdentityConfig): IdentitySettings {
	const cost = config.PASSWORD_HASH_COST ?? (config.APP_ENV === "TEST" ? 10 : Math.log2(defaultScryptParams.N));
	return {
		accessTokenTtlMs: (config.ACCESS_TOKEN_TTL_SECONDS ?? 15 * 60) * 1000,
		refreshTokenTtlMs: (config.REFRESH_TOKEN_TTL_SECONDS ?? 30 * 24 * 3600) * 1000,
		passwordParams: { ...defaultScryptParams, N: 2 ** cost },
		cookieSecure: config.SESSION_COOKIE_SECURE ?? config.APP_ENV === "PROD",
		allowedOrigins: (config.ALLOWED_ORIGINS ?? []).map((origin) => new URL(origin).origin),
		loginMaxFailures: config.LOGIN_MAX_FAILURES ?? 10,
		loginWindowMs: (config.LOGIN_WINDOW_SECONDS ?? 5 * 60) * 1000,
		secrets: once(() => keyringFromConfig(config)),
		resetTokenTtlMs: 30 * minute,
		challengeTtlMs: 5 * minute,
		invitationTtlMs: 7 * 24 * 60 * minute,
		challengeMaxFailures: 5,
		// Lower-cased again: apps built from a literal config skip the config parser that does it.
		adminEmails: new Set((config.ADMIN_EMAILS ?? []).map((email) => email.trim().toLowerCase())),
	};
}

/** Whether the user with this email is a platform administrator (emails are stored lower-cased). */
export function isPlatformAdmin(settings: Pick<IdentitySettings, "adminEmails">, email: string): boolean {
	return settings.adminEmails.has(email.toLowerCase());
}

function once<T>(make: () => T): () => T {
	let made: { value: T } | undefined;
	return () => {
		made ??= { value: make() };
		return made.value;
	};
}
