// Guild invitations: a single-use token sent to an email address, accepted by the user who owns that address.
import { foreignKey, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz } from "./columns.js";
import { guildRoles, guilds } from "./guilds.js";
import { users } from "./users.js";

export const guildInvitations = pgTable(
	"guild_invitations",
	{
		id: id(),
		guildId: integer("guild_id")
			.notNull()
			.references(() => guilds.id, { onDelete: "cascade" }),
		/** Lowercased like users.email: only the account with this address may accept. */
		email: text("email").notNull(),
		roleId: integer("role_id").notNull(),
		invitedBy: integer("invited_by").references(() => users.id, { onDelete: "set null" }),
		/** SHA-256 of the token mailed to the invitee. */
		tokenHash: text("token_hash").notNull(),
		expiresAt: timestamptz("expires_at").notNull(),
		acceptedAt: timestamptz("accepted_at"),
		acceptedBy: integer("accepted_by").references(() => users.id, { onDelete: "set null" }),
		createdAt: createdAt(),
	},
	(t) => [
		// The role must belong to the invitation's guild; deleting the role drops its pending invitations.
		foreignKey({
			name: "guild_invitations_role_fk",
			columns: [t.guildId, t.roleId],
			foreignColumns: [guildRoles.guildId, guildRoles.id],
		}).onDelete("cascade"),
		uniqueIndex("guild_invitations_token_hash_unique").on(t.tokenHash),
		index("guild_invitations_guild_idx").on(t.guildId),
	],
);
