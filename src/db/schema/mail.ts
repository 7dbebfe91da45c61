// The mail outbox: every message the app sends is written here first; a transport delivers it (a log line in DEV).
import { index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz } from "./columns.js";
import { users } from "./users.js";

export const mailOutbox = pgTable(
	"mail_outbox",
	{
		id: id(),
		/** Kept when the user is deleted as null: the outbox is also the record of what was sent. */
		userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
		recipient: text("recipient").notNull(),
		/** What the mail is for (`password.reset`, `guild.invitation`), so tests and tools can find it. */
		kind: text("kind").notNull(),
		subject: text("subject").notNull(),
		/** May hold a single-use link: never logged, readable only by whoever can read the database. */
		body: text("body").notNull(),
		createdAt: createdAt(),
		sentAt: timestamptz("sent_at"),
	},
	(t) => [index("mail_outbox_recipient_idx").on(t.recipient), index("mail_outbox_pending_idx").on(t.sentAt)],
);
