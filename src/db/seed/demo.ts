// Development seed: a demo user with game accounts, characters, a team, a guild and progressions, so a first GET shows data.
import { eq } from "drizzle-orm";
import type { Executor } from "../client.js";
import {
	characters,
	gameAccounts,
	guildMembers,
	guildRoles,
	guilds,
	progressions,
	teamMembers,
	teams,
	users,
} from "../schema/index.js";

export const demoUser = {
	email: "demo@dofus-manager.local",
	/** Development only: the seed refuses nothing, so never run it against a shared database. */
	password: "demo-demo-demo",
	displayName: "Demo",
} as const;

const draconiros = 2;
const classId = { iop: 8, cra: 9, eniripsa: 7, sacrieur: 11, enutrof: 3 } as const;

export interface DemoSeedResult {
	userId: number;
	/** False when the demo user already existed: the seed then changes nothing. */
	created: boolean;
}

/** Needs the reference data (classes, servers, dungeons) loaded first. */
export interface DemoSeedDependencies {
	/** How the demo password is stored: the same hashing as registration (the services layer gives it). */
	hashPassword: (password: string) => Promise<string>;
}

export async function seedDemoData(db: Executor, { hashPassword }: DemoSeedDependencies): Promise<DemoSeedResult> {
	const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, demoUser.email));
	if (existing !== undefined) return { userId: existing.id, created: false };

	// Hashed before the transaction: scrypt takes a few hundred ms and needs no lock.
	const passwordHash = await hashPassword(demoUser.password);

	return db.transaction(async (tx) => {
		const [user] = await tx
			.insert(users)
			.values({ email: demoUser.email, passwordHash, displayName: demoUser.displayName, locale: "fr" })
			.returning({ id: users.id });
		if (user === undefined) throw new Error("demo user insert returned no row");

		const accounts = await tx
			.insert(gameAccounts)
			.values([
				{ userId: user.id, name: "demo-main", label: "Compte principal" },
				{ userId: user.id, name: "demo-mules", label: "Mules" },
			])
			.returning({ id: gameAccounts.id });
		const [main, mules] = accounts;
		if (main === undefined || mules === undefined) throw new Error("demo accounts insert returned no rows");

		const team = await tx
			.insert(characters)
			.values([
				{ accountId: main.id, name: "Demo-Iop", level: 200, classId: classId.iop, serverId: draconiros },
				{ accountId: main.id, name: "Demo-Cra", level: 187, classId: classId.cra, serverId: draconiros },
				{ accountId: mules.id, name: "Demo-Eni", level: 160, classId: classId.eniripsa, serverId: draconiros },
				{ accountId: mules.id, name: "Demo-Sacri", level: 152, classId: classId.sacrieur, serverId: draconiros },
			])
			.returning({ id: characters.id });
		await tx.insert(characters).values({
			accountId: mules.id,
			name: "Demo-Enu",
			level: 45,
			classId: classId.enutrof,
			serverId: draconiros,
		});

		const [demoTeam] = await tx
			.insert(teams)
			.values({ name: "Team Démo", ownerUserId: user.id, serverId: draconiros })
			.returning({ id: teams.id });
		if (demoTeam === undefined) throw new Error("demo team insert returned no row");
		await tx.insert(teamMembers).values(team.map((character) => ({ teamId: demoTeam.id, characterId: character.id })));

		const [guild] = await tx
			.insert(guilds)
			.values({ name: "Les Démos", slug: "les-demos", createdBy: user.id })
			.returning({ id: guilds.id });
		if (guild === undefined) throw new Error("demo guild insert returned no row");
		const [leader] = await tx
			.insert(guildRoles)
			.values({ guildId: guild.id, name: "Meneur", permissions: ["*"], isSystem: true, kind: "owner" })
			.returning({ id: guildRoles.id });
		if (leader === undefined) throw new Error("demo role insert returned no row");
		await tx.insert(guildMembers).values({ guildId: guild.id, userId: user.id, roleId: leader.id });

		const [iop] = team;
		if (iop !== undefined) {
			await tx.insert(progressions).values([
				{ characterId: iop.id, kind: "dungeon", refId: 1, status: "done" },
				{ characterId: iop.id, kind: "dungeon", refId: 7, status: "done" },
				{ characterId: iop.id, kind: "dungeon", refId: 8, status: "in_progress" },
			]);
		}

		return { userId: user.id, created: true };
	});
}
