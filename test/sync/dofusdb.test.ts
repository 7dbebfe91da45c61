// The DofusDB sync against a local fake API: pagination, idempotence, rejected records, retries, rollback, the CLI.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { classes, dungeons, servers } from "../../src/db/schema/index.js";
import { serverRows } from "../../src/db/seed/data/servers.js";
import { DofusDbError, type SyncOptions, syncDofusDb } from "../../src/sync/dofusdb.js";
import { getTestDatabase } from "../helpers/database.js";
import { defaultRecords, type FakeDofusDb, startFakeDofusDb } from "../helpers/fake-dofusdb.js";
import { restoreReferenceData } from "../helpers/reference.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

let db: Database;
let api: FakeDofusDb;

beforeAll(async () => {
	db = await getTestDatabase();
	api = await startFakeDofusDb();
});
afterAll(() => api.close());
beforeEach(() => {
	api.records = defaultRecords();
	api.faults = {};
	api.requests.length = 0;
});
afterEach(() => restoreReferenceData(db));

const sync = (options: Partial<SyncOptions> = {}) =>
	syncDofusDb({ db, baseUrl: api.url, timeoutMs: 2000, retries: 2, retryDelayMs: 5, ...options });
const requestsTo = (path: string) => api.requests.filter((request) => request.startsWith(`${path}?`));
const snapshot = async () => ({
	classes: await db.select().from(classes).orderBy(asc(classes.id)),
	servers: await db.select().from(servers).orderBy(asc(servers.id)),
	dungeons: await db.select().from(dungeons).orderBy(asc(dungeons.id)),
});

describe("syncDofusDb", () => {
	it("reads every page, links the shipped rows to their DofusDB records and creates the new ones", async () => {
		const report = await sync();
		expect(report.classes).toEqual({ created: 0, updated: 0, unchanged: 19, rejected: 1, absent: 0 });
		// Seeded servers had no DofusDB id yet: linking them is an update; two servers are new.
		expect(report.servers).toEqual({ created: 2, updated: serverRows.length, unchanged: 0, rejected: 0, absent: 0 });
		expect(report.dungeons).toEqual({ created: 52, updated: 8, unchanged: 0, rejected: 0, absent: 0 });
		expect(report.changed).toBe(true);
		// 60 dungeons, 50 per page: two pages, in id order.
		expect(requestsTo("/dungeons").map((request) => new URL(request, "http://x").searchParams.get("$skip"))).toEqual([
			"0",
			"50",
		]);
		expect(new URL(requestsTo("/dungeons")[0] ?? "", "http://x").searchParams.get("$sort[id]")).toBe("1");

		const [dakal] = await db.select().from(servers).where(eq(servers.name, "Dakal"));
		expect(dakal).toMatchObject({ id: 1, dofusdbId: 401 });
		const created = await db.select().from(servers).where(eq(servers.dofusdbId, 500));
		expect(created).toEqual([expect.objectContaining({ id: serverRows.length + 1, name: "Nouveau Serveur" })]);
		expect(await db.$count(dungeons)).toBe(60);
	});

	it("is idempotent: a second run finds everything unchanged and changes nothing", async () => {
		await sync();
		const before = await snapshot();
		const report = await sync();
		for (const resource of ["classes", "servers", "dungeons"] as const) {
			expect(report[resource]).toMatchObject({ created: 0, updated: 0 });
		}
		expect(report.dungeons.unchanged).toBe(60);
		expect(report.changed).toBe(false);
		expect(await snapshot()).toEqual(before);
	});

	it("updates renamed records in place, keeping our ids, and never deletes rows the API dropped", async () => {
		await sync();
		const records = defaultRecords();
		const breeds = records["/breeds"] as Array<{ id: number; shortName: { fr: string } }>;
		(breeds.find((breed) => breed.id === 9) as { shortName: { fr: string } }).shortName.fr = "Crâ";
		records["/servers"] = (records["/servers"] ?? []).filter((server) => (server as { id: number }).id !== 401);
		api.records = records;
		const report = await sync();
		expect(report.classes).toMatchObject({ updated: 1, unchanged: 18 });
		expect(report.servers).toMatchObject({ absent: 1, unchanged: serverRows.length + 1 });
		expect((await db.select().from(classes).where(eq(classes.id, 9)))[0]).toMatchObject({ name: "Crâ", dofusdbId: 9 });
		expect(await db.select().from(servers).where(eq(servers.id, 1))).toHaveLength(1);
	});

	it("rejects and counts bad records, logs their id and reason, and writes the others", async () => {
		const warnings: Array<Record<string, unknown>> = [];
		const logger = { info: () => {}, warn: (entry: Record<string, unknown>) => void warnings.push(entry) };
		const records = defaultRecords();
		records["/breeds"]?.push({ id: 30 }, { id: -1, shortName: { fr: "Négatif" } });
		records["/servers"]?.push(
			{ id: "abc", name: { fr: "Texte" } },
			{ id: 600, name: { de: "Nur Deutsch" } },
			{ id: 500, name: { fr: "Doublon" } },
		);
		records["/dungeons"]?.push(
			{ id: 900, name: { fr: "Trop haut" }, optimalPlayerLevel: 500 },
			{ id: 901, name: { fr: "Dakal" } },
			"not an object",
		);
		api.records = records;
		const report = await sync({ logger: logger as unknown as SyncOptions["logger"] });
		expect(report.classes.rejected).toBe(3); // Commun, no name, negative id
		expect(report.servers.rejected).toBe(3); // id not a number, no fr/en name, duplicate id
		expect(report.dungeons.rejected).toBe(3); // level out of range, no level, not an object
		expect(report.servers.created).toBe(2);
		expect(warnings).toContainEqual(
			expect.objectContaining({
				resource: "dungeons",
				dofusdbId: 900,
				reason: expect.stringContaining("optimalPlayerLevel"),
			}),
		);
		expect(warnings).toContainEqual(
			expect.objectContaining({ resource: "servers", dofusdbId: 500, reason: "appears twice in the API" }),
		);
		expect(await db.$count(dungeons)).toBe(60);
	});

	it("rejects a record that would take another row's name instead of failing the sync", async () => {
		api.records["/dungeons"]?.push({ id: 950, name: { fr: "DONJON DES BOUFTOUS " }, optimalPlayerLevel: 30 });
		const report = await sync();
		expect(report.dungeons).toMatchObject({ rejected: 1, created: 52 });
	});

	it("retries a request that timed out, then succeeds", async () => {
		api.faults["/breeds"] = [{ delayMs: 1000 }];
		const report = await sync({ timeoutMs: 200 });
		expect(report.classes.unchanged).toBe(19);
		expect(requestsTo("/breeds")).toHaveLength(2);
	});

	it("retries 5xx answers with backoff, then succeeds", async () => {
		api.faults["/servers"] = [{ status: 503 }, { status: 500 }];
		const report = await sync();
		expect(report.servers.created).toBe(2);
		expect(requestsTo("/servers")).toHaveLength(3);
	});

	it("gives up after its retries with an error naming the URL, writing nothing", async () => {
		api.faults["/dungeons"] = [{ status: 502 }, { status: 502 }, { status: 502 }];
		const before = await snapshot();
		await expect(sync()).rejects.toThrow(/\/dungeons.*failed after 3 attempts: answered 502/);
		expect(await snapshot()).toEqual(before);
	});

	it("does not retry a 4xx: one request, a clear error", async () => {
		api.faults["/servers"] = [{ status: 404 }];
		const error = await sync().catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(DofusDbError);
		expect(error).toMatchObject({
			status: 404,
			message: expect.stringMatching(/\/servers.*answered 404: not retried/),
		});
		expect(requestsTo("/servers")).toHaveLength(1);
	});

	it("rolls everything back when a write fails midway: classes and servers are not half-written", async () => {
		// A real database failure on the last table written, after classes and servers were.
		await db.execute(
			sql.raw(
				`create function refuse_dungeon() returns trigger language plpgsql as $$ begin raise exception 'dungeons are read-only'; end $$`,
			),
		);
		await db.execute(
			sql.raw(`create trigger refuse_dungeon before insert on dungeons for each row execute function refuse_dungeon()`),
		);
		try {
			const breed = api.records["/breeds"]?.[8] as { shortName: { fr: string } };
			breed.shortName.fr = "Crâ";
			const before = await snapshot();
			await expect(sync()).rejects.toThrow();
			expect(await snapshot()).toEqual(before);
		} finally {
			await db.execute(sql.raw(`drop trigger refuse_dungeon on dungeons`));
			await db.execute(sql.raw(`drop function refuse_dungeon`));
		}
	});

	it("invalidates the cache it is given only when something changed", async () => {
		let invalidations = 0;
		const referenceCache = {
			invalidate: () => {
				invalidations += 1;
			},
		};
		await sync({ referenceCache });
		await sync({ referenceCache });
		expect(invalidations).toBe(1);
	});

	it("reports progress per resource and stage", async () => {
		const events: string[] = [];
		await sync({
			onProgress: ({ resource, stage, done, total }) => events.push(`${resource} ${stage} ${done}/${total}`),
		});
		expect(events).toContain("dungeons fetching 50/60");
		expect(events).toContain("dungeons fetching 60/60");
		expect(events.at(-1)).toBe("dungeons writing 60/60");
	});
});

describe("npm run sync:dofusdb", () => {
	const runCli = (env: Record<string, string>) =>
		promisify(execFile)(
			process.execPath,
			[fileURLToPath(new URL("node_modules/tsx/dist/cli.mjs", `file://${repoRoot}`)), "src/sync/cli.ts"],
			{
				cwd: repoRoot,
				timeout: 60_000,
				env: { PATH: process.env.PATH ?? "", APP_ENV: "TEST", PGLITE_DIR: "memory://", DOFUSDB_RETRIES: "1", ...env },
			},
		).then(
			({ stdout }) => ({ code: 0, stdout }),
			(error: { code?: number; stdout?: string; stderr?: string }) => ({
				code: error.code ?? -1,
				stdout: error.stdout ?? "",
				stderr: error.stderr ?? "",
			}),
		);

	it("syncs an ephemeral database, prints the counts table and exits 0", { timeout: 60_000 }, async () => {
		const result = await runCli({ DOFUSDB_URL: api.url });
		expect(result.code, JSON.stringify(result)).toBe(0);
		expect(result.stdout).toMatch(/resource\s+created\s+updated\s+unchanged\s+rejected\s+absent/);
		expect(result.stdout).toMatch(/dungeons\s+52\s+8\s+0\s+0\s+0/);
	});

	it("exits non-zero when the API fails", { timeout: 60_000 }, async () => {
		api.faults["/breeds"] = [{ status: 403 }];
		const result = await runCli({ DOFUSDB_URL: api.url });
		expect(result.code).not.toBe(0);
		expect(JSON.stringify(result)).toContain("answered 403");
	});
});
