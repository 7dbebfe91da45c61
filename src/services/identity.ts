// Builds the identity services once per app, wired to one database, one clock and one settings object.
import type { Logger } from "pino";
import type { Database } from "../db/index.js";
import type { JobQueue } from "../jobs/queue.js";
import { defaultGuildAddressing, type GuildAddressing } from "./guild-slugs.js";
import { createGuildService } from "./guilds.js";
import { createInvitationService } from "./invitations.js";
import { createLoginThrottle } from "./login-throttle.js";
import { createMailer } from "./mail.js";
import { createPasswordResetService } from "./password-reset.js";
import { createSessionService } from "./sessions.js";
import { type Clock, type IdentityConfig, identitySettings, systemClock } from "./settings.js";
import { createTwoFactorService } from "./two-factor.js";
import { createUserAccountService } from "./user-accounts.js";
import type { UserViews } from "./user-changes.js";

export interface IdentityDependencies {
	db: Database;
	config: IdentityConfig;
	logger: Logger;
	/** Default: the system clock. Tests pass one they can move. */
	now?: Clock | undefined;
	/** Where mail delivery jobs (and any other job a service starts) are enqueued. */
	jobs: JobQueue;
	/** How guilds get and change slugs (reserved names, redirect window, the tenant cache to tell). Default: built-in rules. */
	guildAddressing?: Omit<GuildAddressing, "now"> | undefined;
	/** The user cache to tell of this instance's membership changes (see user-changes.ts). Default: none. */
	userViews?: UserViews | undefined;
}

export function createIdentityServices({
	db,
	config,
	logger,
	now = systemClock,
	jobs,
	guildAddressing,
	userViews,
}: IdentityDependencies) {
	const settings = identitySettings(config);
	if (config.APP_ENV === "DEV" && settings.secrets().development) {
		logger.warn(
			{ keyId: settings.secrets().current.id },
			"SECRETS_KEY is unset: TOTP secrets are encrypted with the public development key; set SECRETS_KEY before real use",
		);
	}
	const sessions = createSessionService(db, settings, now);
	const throttle = createLoginThrottle(db, settings, now);
	const mailer = createMailer(jobs, now);
	const userAccounts = createUserAccountService({ db, settings, now, sessions, throttle });
	return {
		settings,
		now,
		jobs,
		sessions,
		throttle,
		mailer,
		userAccounts,
		twoFactor: createTwoFactorService(db, settings, now, sessions),
		passwordReset: createPasswordResetService({ db, settings, now, userAccounts, sessions, mailer }),
		guilds: createGuildService(db, { ...defaultGuildAddressing, ...guildAddressing, now }, userViews),
		invitations: createInvitationService(db, settings, now, mailer, userViews),
	};
}

export type IdentityServices = ReturnType<typeof createIdentityServices>;
