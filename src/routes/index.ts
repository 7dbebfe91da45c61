// Declares every route of the API on an app.
import type { Registry } from "prom-client";
import type { App } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { RealtimeHub } from "../realtime/hub.js";
import { createAuditLogService } from "../services/audit-log.js";
import { createDomainServices } from "../services/domain.js";
import { createFeatureFlagService } from "../services/feature-flags.js";
import { createGuildDomainService } from "../services/guild-domains.js";
import { createGuildProfileService } from "../services/guild-profile.js";
import { createGuildSettingsService } from "../services/guild-settings.js";
import type { GuildAddressing } from "../services/guild-slugs.js";
import { createGuildUsageService } from "../services/guild-usage.js";
import type { IdentityServices } from "../services/identity.js";
import type { ReferenceCache } from "../services/reference-cache.js";
import type { UserCache } from "../services/user-cache.js";
import type { FeatureFlagCache } from "../tenancy/feature-flag-cache.js";
import type { GuildRequestCounter } from "../tenancy/request-counts.js";
import type { TenancySettings } from "../tenancy/settings.js";
import { declareGameAccountRoutes } from "./accounts/accounts.js";
import { createGameAccountGuards } from "./accounts/guards.js";
import { declareAdminRoutes } from "./admin/admin.js";
import { declareAdminAuditRoutes } from "./admin/audit.js";
import { declareAdminDomainRoutes } from "./admin/domains.js";
import { declareAdminFeatureFlagRoutes } from "./admin/feature-flags.js";
import { createAdminGuards } from "./admin/guards.js";
import { declareCredentialRoutes } from "./auth/credentials.js";
import { declarePasswordRoutes } from "./auth/password.js";
import { declareSessionRoutes } from "./auth/sessions.js";
import { declareTwoFactorRoutes } from "./auth/two-factor.js";
import { declareBenchRoutes } from "./bench/bench.js";
import { declareCharacterRoutes } from "./characters/characters.js";
import { createCharacterGuards } from "./characters/guards.js";
import { declareCharacterImportRoute } from "./characters/import.js";
import { declareCharacterListRoute } from "./characters/list.js";
import { declarePortraitRoutes } from "./characters/portrait.js";
import { declareDocsRoutes } from "./docs/docs.js";
import { declareEventRoutes, type EventRouteDependencies } from "./events/events.js";
import { declareFeatureRoutes } from "./features/features.js";
import { createFeatureGuards } from "./features/guards.js";
import { declareFileContentRoute } from "./files/content.js";
import { declareFileRoutes } from "./files/files.js";
import { createFileGuards, type FileRouteServices } from "./files/guards.js";
import { createSharedGuards } from "./guards.js";
import { declareGuildHostRoutes } from "./guild/guild.js";
import { declareGuildAuditRoutes } from "./guilds/audit.js";
import { declareDomainRoutes } from "./guilds/domains.js";
import { declareEmblemRoutes } from "./guilds/emblem.js";
import { createGuildGuards } from "./guilds/guards.js";
import { declareGuildRoutes } from "./guilds/guilds.js";
import { declareMemberRoutes } from "./guilds/members.js";
import { declareRoleRoutes } from "./guilds/roles.js";
import { declareSettingsRoutes } from "./guilds/settings.js";
import { declareUsageRoutes } from "./guilds/usage.js";
import { declareHealthRoutes } from "./health/health.js";
import type { ReadinessState } from "./health/readiness.js";
import { createInvitationGuards } from "./invitations/guards.js";
import { declareInvitationRoutes } from "./invitations/invitations.js";
import { createJobGuards } from "./jobs/guards.js";
import { declareJobRoutes } from "./jobs/jobs.js";
import { declareMeRoutes } from "./me/me.js";
import { declareMetricsRoutes } from "./metrics/metrics.js";
import { declareProgressionRoutes } from "./progressions/progressions.js";
import { createReferenceGuards } from "./reference/guards.js";
import { declareReferenceRoutes } from "./reference/reference.js";
import { createTeamGuards } from "./teams/guards.js";
import { declareTeamMemberRoutes } from "./teams/members.js";
import { declareTeamRoutes } from "./teams/teams.js";

export interface RouteDependencies {
	db: Database;
	/** Registers the benchmark-only routes (config BENCH). */
	bench: boolean;
	/** User accounts, sessions, guilds… built once per app (see services/identity.ts). */
	identity: IdentityServices;
	/** The classes/servers/dungeons lists and their ETags, built once per app (see services/reference-cache.ts). */
	referenceCache: ReferenceCache;
	/** Guild addresses: the base domain and slug rules, and how a change reaches the tenant cache (see src/tenancy/). */
	tenancy: {
		settings: TenancySettings;
		addressing: GuildAddressing;
		/** The feature flags, cached (see src/tenancy/feature-flag-cache.ts). */
		featureFlags: FeatureFlagCache;
		/** Requests counted per guild (see src/tenancy/request-counts.ts), which the usage route reads. */
		requestCounter: GuildRequestCounter;
	};
	/** The instance's real-time hub, if it runs one. */
	realtime: RealtimeHub | undefined;
	realtimeSettings: EventRouteDependencies["settings"];
	/** Each user's cached hot reads (first character page, teams), told of every write (see services/user-cache.ts). */
	userCache: UserCache;
	/** GET /metrics: its token and the app's registry; undefined when METRICS_TOKEN is unset (the route answers 404). */
	metrics: { token: string; registry: Registry } | undefined;
	/** Files: storage, quota, rate limit, pictures, and the signer of filesystem download URLs. */
	files: FileRouteServices;
	/** What GET /health/ready reports, told of SIGTERM by the runtime; default: never shutting down. */
	readiness?: ReadinessState;
}

export function declareRoutes(app: App, dependencies: RouteDependencies): void {
	declareHealthRoutes(app, dependencies.db, dependencies.readiness);
	declareMetricsRoutes(app, dependencies.metrics);
	if (dependencies.bench) declareBenchRoutes(app);

	// The `authenticated` and `userHasRight` processes, shared by every protected route, and the identity checkers.
	const identity = {
		db: dependencies.db,
		services: dependencies.identity,
		guards: {
			...createSharedGuards(app, dependencies.db, dependencies.identity),
			...createGuildGuards(dependencies.identity),
			...createInvitationGuards(dependencies.identity),
		},
	};
	declareCredentialRoutes(app, identity);
	declareSessionRoutes(app, identity);
	declarePasswordRoutes(app, identity);
	declareTwoFactorRoutes(app, identity);
	declareMeRoutes(app, identity);
	declareGuildRoutes(app, identity, dependencies.files);
	declareMemberRoutes(app, identity);
	declareRoleRoutes(app, identity);
	declareInvitationRoutes(app, identity);
	// Guild addresses (custom domains), and the routes of a guild's own host.
	const guildDomains = createGuildDomainService(
		dependencies.db,
		dependencies.tenancy.settings,
		dependencies.tenancy.addressing,
	);
	// Guild management (settings, usage, audit log) and the feature flags gating routes.
	const guildSettings = createGuildSettingsService(dependencies.db);
	const featureFlags = createFeatureFlagService(dependencies.db, dependencies.tenancy.featureFlags);
	const auditLog = createAuditLogService(dependencies.db);
	const featureGuards = createFeatureGuards(featureFlags);
	declareSettingsRoutes(app, identity, guildSettings);
	declareUsageRoutes(
		app,
		identity,
		createGuildUsageService(dependencies.db, dependencies.tenancy.requestCounter, dependencies.identity.now),
	);
	declareGuildAuditRoutes(app, identity, auditLog);
	declareFeatureRoutes(app, identity, featureFlags);
	declareDomainRoutes(app, { guards: { ...identity.guards, ...featureGuards } }, guildDomains);
	declareGuildHostRoutes(app, identity, createGuildProfileService(dependencies.db), guildSettings);

	// Background jobs: mine (or any, for a platform admin) and the admin routes that start and watch them.
	const platform = {
		services: dependencies.identity,
		guards: {
			...identity.guards,
			...createAdminGuards(dependencies.identity, identity.guards),
			...createJobGuards(dependencies.identity),
		},
	};
	declareJobRoutes(app, platform);
	declareEventRoutes(app, {
		db: dependencies.db,
		services: dependencies.identity,
		guards: identity.guards,
		realtime: dependencies.realtime,
		settings: dependencies.realtimeSettings,
	});
	declareAdminRoutes(app, platform);
	declareAdminDomainRoutes(app, platform, guildDomains);
	declareAdminFeatureFlagRoutes(app, platform, featureFlags);
	declareAdminAuditRoutes(app, platform, auditLog);

	// Player-facing routes: game accounts, characters, teams, progressions; their checkers and the reference data's join the
	// identity guards.
	const domainServices = createDomainServices(dependencies.db, dependencies.identity.guilds, dependencies.userCache);
	const domain = {
		db: dependencies.db,
		services: domainServices,
		identity: dependencies.identity,
		guards: {
			...identity.guards,
			...createGameAccountGuards(domainServices),
			...createCharacterGuards(domainServices),
			...createTeamGuards(domainServices),
			...createReferenceGuards(dependencies.db),
		},
	};
	declareGameAccountRoutes(app, domain);
	declareCharacterListRoute(app, domain, dependencies.files);
	declareCharacterRoutes(app, domain, dependencies.files);
	declareTeamRoutes(app, domain);
	declareTeamMemberRoutes(app, domain);
	declareProgressionRoutes(app, domain);

	// Files: portraits and emblems uploaded, downloads through signed URLs (the content route serves the filesystem's).
	const fileGuards = createFileGuards(dependencies.files, {
		characters: domainServices.characters,
		guilds: dependencies.identity.guilds,
	});
	declarePortraitRoutes(domain, dependencies.files, fileGuards);
	// CSV imports of characters: stored as a file, run as a job (src/workers/characters-import.ts).
	declareCharacterImportRoute(domain, dependencies.files, fileGuards, dependencies.identity.jobs);
	declareEmblemRoutes(identity, dependencies.files, fileGuards);
	declareFileRoutes(app, domain, dependencies.files, fileGuards);
	declareFileContentRoute(app, dependencies.files);

	// Public, cacheable reference lists.
	declareReferenceRoutes(app, dependencies.referenceCache);

	// Last, so that nothing is declared after it: the OpenAPI document describes every route.
	declareDocsRoutes(app);
}
