// Maps PostgreSQL constraint errors (from either engine, wrapped by Drizzle or not) to an HTTP status and info.

export interface DatabaseErrorResponse {
	status: 400 | 404 | 409;
	/** Stable identifier for clients, `resource.state` style (`character.name_taken`). */
	info: string;
	/** The violated constraint, when PostgreSQL names one. */
	constraint?: string;
	/** PostgreSQL's explanation (it quotes the offending values): for logs and DEV bodies. */
	detail?: string;
}

/** Unique and check constraints → the info a client gets. Keys are constraint or unique-index names. */
export const constraintInfos: Readonly<Record<string, string>> = {
	users_email_unique: "user.email_taken",
	users_email_lowercase: "user.email_invalid",
	guild_roles_guild_name_unique: "role.name_taken",
	guild_members_pkey: "guild.already_member",
	// The guild services check slugs and domains under a lock first; these catch a writer that skipped them.
	guilds_slug_unique: "guild.slug_taken",
	guilds_slug_format: "guild.slug_invalid",
	guild_slug_history_slug_format: "guild.slug_invalid",
	guild_domains_domain_unique: "domain.taken",
	guild_domains_domain_lowercase: "domain.invalid",
	game_accounts_user_name_unique: "account.name_taken",
	characters_server_name_unique: "character.name_taken",
	characters_level_range: "character.level_invalid",
	teams_owner_name_unique: "team.name_taken",
	teams_guild_name_unique: "team.name_taken",
	teams_single_owner: "team.owner_invalid",
	team_members_pkey: "team.already_member",
	progressions_pkey: "progression.exists",
	progressions_kind_valid: "progression.kind_invalid",
	progressions_status_valid: "progression.status_invalid",
	classes_name_unique: "class.name_taken",
	servers_name_unique: "server.name_taken",
	dungeons_name_unique: "dungeon.name_taken",
	dungeons_level_range: "dungeon.level_invalid",
	// Written only by the DofusDB sync, which checks ids first; a clash means two syncs disagreed.
	classes_dofusdb_id_unique: "class.dofusdb_id_taken",
	servers_dofusdb_id_unique: "server.dofusdb_id_taken",
	dungeons_dofusdb_id_unique: "dungeon.dofusdb_id_taken",
	guild_roles_kind_valid: "role.kind_invalid",
	guild_roles_guild_kind_unique: "role.kind_taken",
	// Token hashes collide only if 256-bit random tokens repeat: a 409 is the honest answer if it ever happens.
	sessions_access_token_hash_unique: "session.conflict",
	refresh_tokens_token_hash_unique: "session.conflict",
	login_challenges_token_hash_unique: "challenge.conflict",
	password_reset_tokens_token_hash_unique: "reset.conflict",
	guild_invitations_token_hash_unique: "invitation.conflict",
	realtime_tickets_token_hash_unique: "ticket.conflict",
	// Files are written by the files service under the subject's row lock, with generated keys: these catch a writer
	// that skipped it (a second portrait or emblem at once) or a bug, never a client's input.
	files_storage_key_unique: "file.conflict",
	files_portrait_per_character_unique: "portrait.conflict",
	files_emblem_per_guild_unique: "emblem.conflict",
	files_purpose_known: "file.invalid",
	files_state_known: "file.invalid",
	files_size_not_negative: "file.invalid",
	files_sha256_format: "file.invalid",
	files_stored_has_sha256: "file.invalid",
	files_portrait_has_character: "file.invalid",
	files_emblem_has_guild: "file.invalid",
	// One row by construction (its key is always true); the hub upserts it.
	realtime_horizon_singleton: "realtime.horizon_invalid",
	// The settings, flag and audit services validate first; these catch a writer that skipped them.
	guild_settings_visibility_known: "settings.visibility_invalid",
	guild_settings_member_limit_range: "settings.member_limit_invalid",
	feature_flags_name_format: "feature_flag.name_invalid",
	guild_feature_flags_pkey: "feature_flag.override_exists",
	audit_log_scope_known: "audit.scope_invalid",
	// Written by upserts only (src/tenancy/request-counts.ts).
	guild_request_counts_pkey: "usage.conflict",
	guild_request_counts_count_positive: "usage.count_invalid",
};

/** Foreign keys → info when the referenced row is missing (404) and when a delete hits a row still in use (409, also for RESTRICT's 23001). */
export const foreignKeyInfos: Readonly<Record<string, { missing: string; inUse: string }>> = {
	guilds_created_by_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	guild_roles_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	guild_members_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	guild_slug_history_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	guild_domains_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	guild_domains_activated_by_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	guild_members_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	guild_members_role_fk: { missing: "role.notfound", inUse: "role.in_use" },
	game_accounts_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	characters_account_id_game_accounts_id_fk: { missing: "account.notfound", inUse: "account.in_use" },
	characters_class_id_classes_id_fk: { missing: "class.notfound", inUse: "class.in_use" },
	characters_server_id_servers_id_fk: { missing: "server.notfound", inUse: "server.in_use" },
	teams_owner_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	teams_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	teams_server_id_servers_id_fk: { missing: "server.notfound", inUse: "server.in_use" },
	team_members_team_id_teams_id_fk: { missing: "team.notfound", inUse: "team.in_use" },
	team_members_character_id_characters_id_fk: { missing: "character.notfound", inUse: "character.in_use" },
	progressions_character_id_characters_id_fk: { missing: "character.notfound", inUse: "character.in_use" },
	sessions_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	refresh_tokens_session_id_sessions_id_fk: { missing: "session.notfound", inUse: "session.in_use" },
	login_challenges_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	password_reset_tokens_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	guild_invitations_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	guild_invitations_invited_by_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	guild_invitations_accepted_by_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	guild_invitations_role_fk: { missing: "role.notfound", inUse: "role.in_use" },
	mail_outbox_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	job_records_requested_by_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	realtime_tickets_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	files_owner_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	files_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	files_character_id_characters_id_fk: { missing: "character.notfound", inUse: "character.in_use" },
	files_variant_of_files_id_fk: { missing: "file.notfound", inUse: "file.in_use" },
	upload_attempts_user_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	realtime_tickets_session_id_sessions_id_fk: { missing: "session.notfound", inUse: "session.in_use" },
	guild_settings_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	guild_settings_updated_by_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
	// Deleting the role new members get: the settings must name another one first.
	guild_settings_default_role_fk: { missing: "role.notfound", inUse: "role.default" },
	guild_request_counts_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	guild_feature_flags_flag_name_feature_flags_name_fk: {
		missing: "feature_flag.notfound",
		inUse: "feature_flag.in_use",
	},
	guild_feature_flags_guild_id_guilds_id_fk: { missing: "guild.notfound", inUse: "guild.in_use" },
	audit_log_actor_id_users_id_fk: { missing: "user.notfound", inUse: "user.in_use" },
};

/** The fields we read, under the names of both drivers (PGlite: `constraint`, postgres.js: `constraint_name`). */
interface PgErrorFields {
	code: string;
	constraint?: string;
	column?: string;
	detail?: string;
}

/** Returns null for anything that is not a constraint or bad-value error: the caller lets it become a 500. */
export function mapDatabaseError(error: unknown): DatabaseErrorResponse | null {
	const found = findPgError(error);
	if (found === null) return null;
	const { fields, query } = found;
	const { code, constraint } = fields;
	const extra = {
		...(constraint === undefined ? {} : { constraint }),
		...(fields.detail === undefined ? {} : { detail: fields.detail }),
	};
	const name = constraint ?? "unknown";

	switch (code) {
		case "23505": // unique_violation
			return { status: 409, info: constraintInfos[name] ?? `conflict.${name}`, ...extra };
		case "23503": {
			// foreign_key_violation: a missing parent on insert/update, or a parent still in use on delete.
			const inUse = isStillReferenced(fields.detail, query);
			const infos = foreignKeyInfos[name];
			if (inUse) return { status: 409, info: infos?.inUse ?? `conflict.${name}`, ...extra };
			return { status: 404, info: infos?.missing ?? `notfound.${name}`, ...extra };
		}
		case "23001": {
			// restrict_violation: ON DELETE RESTRICT reports with its own code, always a parent still in use.
			const infos = foreignKeyInfos[name];
			return { status: 409, info: infos?.inUse ?? `conflict.${name}`, ...extra };
		}
		case "23514": // check_violation
			return { status: 400, info: constraintInfos[name] ?? `invalid.${name}`, ...extra };
		case "23502": // not_null_violation
			return { status: 400, info: `required.${fields.column ?? "unknown"}`, ...extra };
		case "22003": // numeric_value_out_of_range (an id past 2^31, a level past int4)
			return { status: 400, info: "value.out_of_range", ...extra };
		case "22P02": // invalid_text_representation
			return { status: 400, info: "value.invalid", ...extra };
		// Text PostgreSQL cannot store: a NUL in `text` (character_not_in_repertoire) or a `\u0000` in jsonb
		// (untranslatable_character). Extract refuses such strings first; this is the last line of defence.
		case "22021":
		case "22P05":
			return { status: 400, info: "value.text_invalid", ...extra };
		default:
			return null;
	}
}

function isStillReferenced(detail: string | undefined, query: string | undefined): boolean {
	// The detail text is the reliable signal but is translated under a non-English lc_messages,
	// so fall back on the statement: only a DELETE (or an UPDATE of a key) can orphan children.
	if (detail !== undefined) {
		if (/referenced from/i.test(detail)) return true;
		if (/not present/i.test(detail)) return false;
	}
	return query !== undefined && /^\s*delete\b/i.test(query);
}

/** Walks the `cause` chain: Drizzle wraps driver errors in `DrizzleQueryError`, transactions may wrap again. */
function findPgError(error: unknown): { fields: PgErrorFields; query?: string } | null {
	let current: unknown = error;
	let query: string | undefined;
	for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
		const candidate = current as Record<string, unknown>;
		if (query === undefined && typeof candidate.query === "string") query = candidate.query;
		// Node system errors have codes too (EPIPE is five letters): a severity marks a server error.
		if (
			typeof candidate.code === "string" &&
			/^[0-9A-Z]{5}$/.test(candidate.code) &&
			typeof candidate.severity === "string"
		) {
			return { fields: readFields(candidate), ...(query === undefined ? {} : { query }) };
		}
		current = candidate.cause;
	}
	return null;
}

function readFields(error: Record<string, unknown>): PgErrorFields {
	const text = (...keys: string[]) => {
		for (const key of keys) {
			const value = error[key];
			if (typeof value === "string" && value !== "") return value;
		}
		return undefined;
	};
	const fields: PgErrorFields = { code: error.code as string };
	const constraint = text("constraint", "constraint_name");
	const column = text("column", "column_name");
	const detail = text("detail");
	if (constraint !== undefined) fields.constraint = constraint;
	if (column !== undefined) fields.column = column;
	if (detail !== undefined) fields.detail = detail;
	return fields;
}
