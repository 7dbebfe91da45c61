// Users: the people who log in; everything else a person owns hangs off `users.id`.
import { sql } from "drizzle-orm";
import { bigint, check, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz, updatedAt } from "./columns.js";

export const users = pgTable(
	"users",
	{
		id: id(),
		/** Stored lowercased (the CHECK enforces it) so a plain unique index makes it case-insensitive. */
		email: text("email").notNull(),
		passwordHash: text("password_hash").notNull(),
		displayName: text("display_name").notNull(),
		locale: text("locale").notNull().default("fr"),
		/** The base32 TOTP secret sealed with SECRETS_KEY (`v1:<key id>:…`, src/secrets/sealed.ts): set by 2FA setup, in force only once `totp_enabled_at` is set. */
		totpSecret: text("totp_secret"),
		totpEnabledAt: timestamptz("totp_enabled_at"),
		/** Last accepted TOTP time step: a code is accepted once, even within its validity window. */
		totpLastStep: bigint("totp_last_step", { mode: "number" }),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [
		uniqueIndex("users_email_unique").on(t.email),
		check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
	],
);
