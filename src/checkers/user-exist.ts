// Checker `userExist`: a user by id or by email (register's "taken" check, member routes' target).

import { eq } from "drizzle-orm";
import { createChecker } from "../core/index.js";
import type { Database } from "../db/index.js";
import { users } from "../db/schema/index.js";
import { publicUserColumns, toPublicUser } from "../services/sessions.js";
import { normalizeEmail } from "../services/user-accounts.js";

export function createUserExist(db: Database) {
	return createChecker("userExist")
		.options({ by: "id" as "id" | "email" })
		.handler(async (input: number | string, output, options) => {
			const where =
				options.by === "email" ? eq(users.email, normalizeEmail(String(input))) : eq(users.id, Number(input));
			const [row] = await db.select(publicUserColumns).from(users).where(where);
			return row === undefined ? output("user.notfound", null) : output("user.exist", toPublicUser(row));
		});
}
