// Game accounts: a user's Dofus accounts, each holding characters.
import { sql } from "drizzle-orm";
import { integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";
import { users } from "./users.js";

export const gameAccounts = pgTable(
	"game_accounts",
	{
		id: id(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		/** Free text the player uses to tell accounts apart ("main", "mules"...). */
		label: text("label"),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	// Leading user_id also serves "list my accounts".
	(t) => [uniqueIndex("game_accounts_user_name_unique").on(t.userId, sql`lower(${t.name})`)],
);
