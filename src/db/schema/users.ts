// Users: the people who log in; everything else a person owns hangs off `users.id`.
import { sql } from "drizzle-orm";
import { check, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns.js";

export const users = pgTable(
	"users",
	{
		id: id(),
		/** Stored lowercased (the CHECK enforces it) so a plain unique index makes it case-insensitive. */
		email: text("email").notNull(),
		passwordHash: text("password_hash").notNull(),
		displayName: text("display_name").notNull(),
		locale: text("locale").notNull().default("fr"),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [
		uniqueIndex("users_email_unique").on(t.email),
		check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
	],
);
