// Characters: one per in-game character, on one server, in one game account.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { gameAccounts } from "./game-accounts.js";
import { classes, servers } from "./reference.js";

export const characters = pgTable(
	"characters",
	{
		id: id(),
		accountId: integer("account_id")
			.notNull()
			.references(() => gameAccounts.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		level: integer("level").notNull().default(1),
		// Reference rows are never deleted while characters use them.
		classId: integer("class_id")
			.notNull()
			.references(() => classes.id, { onDelete: "restrict" }),
		serverId: integer("server_id")
			.notNull()
			.references(() => servers.id, { onDelete: "restrict" }),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [
		// The game treats names case-insensitively: "Bob" and "bob" cannot share a server.
		uniqueIndex("characters_server_name_unique").on(t.serverId, sql`lower(${t.name})`),
		check("characters_level_range", sql`${t.level} between 1 and 200`),
		index("characters_account_idx").on(t.accountId),
		index("characters_class_idx").on(t.classId),
		index("characters_level_idx").on(t.level),
		index("characters_name_idx").on(sql`lower(${t.name})`),
	],
);
