// The demo seed: one demo user with accounts, characters, a team, a guild and progressions; a second run is a no-op.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.js";
import { characters, gameAccounts, teamMembers, teams, users } from "../../src/db/schema/index.js";
import { demoUser, seedDemoData } from "../../src/db/seed/demo.js";
import { hashPassword, verifyPassword } from "../../src/services/passwords.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";

let db: Database;
beforeAll(async () => {
	db = await getTestDatabase();
	await resetTestDatabase(db);
});

describe("seedDemoData", () => {
	it("creates the demo user with a usable password", async () => {
		const result = await seedDemoData(db, { hashPassword });
		expect(result.created).toBe(true);
		const [user] = await db.select().from(users).where(eq(users.email, demoUser.email));
		expect(user?.id).toBe(result.userId);
		expect(await verifyPassword(demoUser.password, user?.passwordHash ?? "")).toBe(true);
	});

	it("gives the demo user game accounts, characters and a full team", async () => {
		const user = await db.query.users.findFirst({
			where: eq(users.email, demoUser.email),
			with: { gameAccounts: { with: { characters: true } }, teams: { with: { members: true } } },
		});
		expect(user?.gameAccounts).toHaveLength(2);
		expect(user?.gameAccounts.flatMap((account) => account.characters).length).toBeGreaterThanOrEqual(4);
		expect(user?.teams).toHaveLength(1);
		expect(user?.teams[0]?.members).toHaveLength(4);
	});

	it("is a no-op when the demo user exists", async () => {
		const counts = async () => [
			await db.$count(users),
			await db.$count(gameAccounts),
			await db.$count(characters),
			await db.$count(teams),
			await db.$count(teamMembers),
		];
		const before = await counts();
		const again = await seedDemoData(db, { hashPassword });
		expect(again.created).toBe(false);
		expect(await counts()).toEqual(before);
	});
});
