// Game accounts (a user's Dofus accounts): list with character counts, create, read, change, delete with or without characters.
import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { hotQueries } from "../db/queries.js";
import { characters, gameAccounts } from "../db/schema/index.js";
import { publishEvents } from "../realtime/publish.js";
import { characterDeletions } from "./characters.js";
import { characterAudiences } from "./event-rooms.js";
import { changingUserViews, guildsHolding, noUserViews, type UserViews } from "./user-changes.js";

export type GameAccount = typeof gameAccounts.$inferSelect;

export type GameAccountRemoval =
	| { status: "deleted"; characters: number }
	| { status: "not-empty"; characters: number };

// Spelled out: in a single-table select Drizzle writes columns unqualified, which would bind "id" to characters.
const characterCount =
	sql<number>`(select count(*) from characters where characters.account_id = game_accounts.id)`.mapWith(Number);

/** `userViews`: this instance's user cache, told of the characters a deletion takes away once it committed. */
export function createGameAccountService(db: Database, userViews: UserViews = noUserViews) {
	return {
		async find(accountId: number): Promise<GameAccount | undefined> {
			const [account] = await hotQueries(db).gameAccountById.execute({ id: accountId });
			return account;
		},

		listForUser(userId: number) {
			return db
				.select({
					id: gameAccounts.id,
					userId: gameAccounts.userId,
					name: gameAccounts.name,
					label: gameAccounts.label,
					createdAt: gameAccounts.createdAt,
					updatedAt: gameAccounts.updatedAt,
					characterCount,
				})
				.from(gameAccounts)
				.where(eq(gameAccounts.userId, userId))
				.orderBy(asc(sql`lower(${gameAccounts.name})`), asc(gameAccounts.id));
		},

		/** A name the user already gave another account is refused by game_accounts_user_name_unique (409 account.name_taken). */
		async create(userId: number, values: { name: string; label?: string | null | undefined }): Promise<GameAccount> {
			const [account] = await db
				.insert(gameAccounts)
				.values({ userId, name: values.name, label: values.label ?? null })
				.returning();
			if (account === undefined) throw new Error("game account insert returned no row");
			return account;
		},

		async update(
			accountId: number,
			changes: { name?: string | undefined; label?: string | null | undefined },
		): Promise<GameAccount | undefined> {
			const values: Partial<typeof gameAccounts.$inferInsert> = {};
			if (changes.name !== undefined) values.name = changes.name;
			if (changes.label !== undefined) values.label = changes.label;
			if (Object.keys(values).length === 0) return this.find(accountId);
			const [account] = await db.update(gameAccounts).set(values).where(eq(gameAccounts.id, accountId)).returning();
			return account;
		},

		/**
		 * Refuses an account that still holds characters unless `cascade`. The row lock conflicts with the key-share
		 * lock a character insert takes on its account, so no character slips in between the count and the delete.
		 * Each character a cascade takes away is told as `character.deleted`; they are locked (as a single deletion
		 * locks its character) so that the events name every team they leave.
		 */
		async remove(accountId: number, cascade: boolean): Promise<GameAccountRemoval> {
			return changingUserViews(db, userViews, async (tx, invalidate): Promise<GameAccountRemoval> => {
				const [account] = await tx
					.select({ userId: gameAccounts.userId })
					.from(gameAccounts)
					.where(eq(gameAccounts.id, accountId))
					.for("update");
				const held = await tx
					.select({ id: characters.id })
					.from(characters)
					.where(eq(characters.accountId, accountId))
					.orderBy(asc(characters.id))
					.for("update");
				if (held.length > 0 && !cascade) return { status: "not-empty", characters: held.length };
				const ids = held.map(({ id }) => id);
				if (account === undefined) return { status: "deleted", characters: 0 };
				const [audienceOf, guilds] = await Promise.all([
					characterAudiences(tx, account.userId, ids),
					guildsHolding(tx, ids),
				]);
				await tx.delete(gameAccounts).where(eq(gameAccounts.id, accountId));
				// Its characters leave the owner's first page and the teams that held them.
				if (ids.length > 0) await invalidate({ users: [account.userId], guilds });
				await publishEvents(tx, characterDeletions(account.userId, ids, audienceOf));
				return { status: "deleted", characters: ids.length };
			});
		},
	};
}

export type GameAccountService = ReturnType<typeof createGameAccountService>;
