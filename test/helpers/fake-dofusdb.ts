// A local DofusDB-compatible HTTP server for sync tests: paginated Feathers lists, with faults queued per path.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { classRows } from "../../src/db/seed/data/classes.js";
import { dungeonRows } from "../../src/db/seed/data/dungeons.js";
import { serverRows } from "../../src/db/seed/data/servers.js";

/** What the next request to a path gets instead of its page: an HTTP status, or the page after a delay. */
export type Fault = { status: number } | { delayMs: number };

export interface FakeDofusDb {
	url: string;
	/** Records served per path ("/breeds", "/servers", "/dungeons"); tests edit them between runs. */
	records: Record<string, unknown[]>;
	/** Consumed one per request, in order. */
	faults: Record<string, Fault[]>;
	/** Every request received, as "path?query". */
	requests: string[];
	/** Every page is served this long after its request (a slow DofusDB, for jobs that must still be running). Default 0. */
	delayMs: number;
	close(): Promise<void>;
}

const names = (fr: string) => ({ fr, en: fr, de: fr });

/**
 * The API as our seed knows it: the 19 classes under their DofusDB ids (plus "Commun", 19), the seeded servers
 * under other ids (DofusDB numbers them its own way) and two new ones, the seeded dungeons and 52 more (two pages).
 */
export function defaultRecords(): Record<string, unknown[]> {
	const breeds: unknown[] = classRows.map((row) => ({
		id: row.dofusdbId,
		shortName: names(row.name),
		longName: names(`${row.name} long`),
		gfxId: 1,
	}));
	breeds.splice(18, 0, { id: 19, shortName: names("Commun") });
	return {
		"/breeds": breeds,
		"/servers": [
			...serverRows.map((row) => ({ id: 400 + row.id, name: names(row.name), gameTypeId: 0, language: "fr" })),
			{ id: 500, name: names("Nouveau Serveur"), gameTypeId: 1 },
			{ id: 501, name: names("Serveur Épique"), gameTypeId: 4 },
		],
		"/dungeons": [
			...dungeonRows.map((row) => ({
				id: 100 + row.id,
				name: names(row.name),
				optimalPlayerLevel: row.level,
				mapIds: [1, 2],
			})),
			...Array.from({ length: 52 }, (_, index) => ({
				id: 200 + index,
				name: names(`Donjon de test ${index + 1}`),
				optimalPlayerLevel: 1 + ((index * 7) % 200),
			})),
		],
	};
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
	response.end(text);
}

export async function startFakeDofusDb(records = defaultRecords()): Promise<FakeDofusDb> {
	const fake: FakeDofusDb = { records, faults: {}, requests: [], delayMs: 0, url: "", close: async () => {} };
	const server = createServer((request, response) => {
		const url = new URL(request.url ?? "/", "http://fake");
		fake.requests.push(`${url.pathname}${url.search}`);
		const serve = () => {
			const all = fake.records[url.pathname];
			if (all === undefined) return sendJson(response, 404, { name: "NotFound", code: 404 });
			// Feathers: $limit capped at 50, $skip from 0.
			const limit = Math.min(Number(url.searchParams.get("$limit") ?? 10), 50);
			const skip = Number(url.searchParams.get("$skip") ?? 0);
			return sendJson(response, 200, { total: all.length, limit, skip, data: all.slice(skip, skip + limit) });
		};
		const fault = fake.faults[url.pathname]?.shift();
		if (fault !== undefined && "status" in fault) {
			return sendJson(response, fault.status, { name: "Error", code: fault.status });
		}
		const delayMs = fault?.delayMs ?? fake.delayMs;
		if (delayMs === 0) return serve();
		const timer = setTimeout(() => {
			if (!response.destroyed) serve();
		}, delayMs);
		response.on("close", () => clearTimeout(timer));
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	fake.close = () =>
		new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return fake;
}
