// Reference data: the shipped classes, servers and dungeons load completely, idempotently, and survive test resets.
import { asc, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.js";
import { classes, dungeons, servers } from "../../src/db/schema/index.js";
import { classRows } from "../../src/db/seed/data/classes.js";
import { seedReferenceData } from "../../src/db/seed/reference.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createUser } from "../helpers/fixtures.js";

let db: Database;
beforeAll(async () => {
	db = await getTestDatabase();
});
beforeEach(() => resetTestDatabase(db));

describe("reference data", () => {
	it("holds the 19 Dofus classes with stable ids", async () => {
		const rows = await db.select().from(classes).orderBy(asc(classes.id));
		expect(rows.map((row) => row.name)).toEqual([
			"Feca",
			"Osamodas",
			"Enutrof",
			"Sram",
			"Xelor",
			"Ecaflip",
			"Eniripsa",
			"Iop",
			"Cra",
			"Sadida",
			"Sacrieur",
			"Pandawa",
			"Roublard",
			"Zobal",
			"Steamer",
			"Eliotrope",
			"Huppermage",
			"Ouginak",
			"Forgelance",
		]);
		expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 19 }, (_, index) => index + 1));
	});

	it("holds game servers and dungeons", async () => {
		expect(await db.$count(servers)).toBeGreaterThan(0);
		expect(await db.$count(dungeons)).toBeGreaterThan(0);
		const [kardorim] = await db.select().from(dungeons).where(eq(dungeons.id, 1));
		expect(kardorim).toMatchObject({ name: "Crypte de Kardorim", level: 10 });
	});

	it("loads idempotently: a second and third load change no count", async () => {
		const before = [await db.$count(classes), await db.$count(servers), await db.$count(dungeons)];
		await seedReferenceData(db);
		await seedReferenceData(db);
		expect([await db.$count(classes), await db.$count(servers), await db.$count(dungeons)]).toEqual(before);
	});

	it("restores a renamed row to the shipped name", async () => {
		await db.update(classes).set({ name: "Iop renamed" }).where(eq(classes.id, 8));
		await seedReferenceData(db);
		const [iop] = await db.select().from(classes).where(eq(classes.id, 8));
		expect(iop?.name).toBe(classRows[7].name);
	});
});

describe("resetTestDatabase", () => {
	it("empties user data, restarts ids and keeps reference data", async () => {
		await createUser(db);
		await createUser(db);
		await resetTestDatabase(db);
		expect(await db.$count(classes)).toBe(19);
		const user = await createUser(db);
		expect(user.id).toBe(1);
	});
});
