// Character imports: a CSV stored as the user's file and queued as a `characters.import` job; then, in the job, the
// file read back and each row checked like POST /api/characters and created through the characters service (same
// events, same rules), one transaction per row: a row is a whole character or nothing.
import { and, eq, gte, notInArray, sql } from "drizzle-orm";
import { text } from "../core/index.js";
import { type Database, mapDatabaseError } from "../db/index.js";
import { characters as characterRows, classes, gameAccounts, servers } from "../db/schema/index.js";
import { characterImportJob } from "../jobs/kinds.js";
import type { JobQueue } from "../jobs/queue.js";
import { ObjectNotFoundError } from "../storage/index.js";
import { ImportFileError, type ImportRow } from "./character-import-csv.js";
import type { CharacterService } from "./characters.js";
import type { FileRecord, FileService, FileSource } from "./files.js";

/** What POST /api/characters/import accepts: CSV (text, checked to be UTF-8 without NUL) up to 5 MiB. */
export const characterImportUpload = {
	types: ["text/csv"] as const,
	maxBytes: 5 * 1024 * 1024,
};

/** POST /api/characters' rules for a name and a level, applied to the CSV's text. */
const characterName = text().trim().min(2).max(50);
const levelRange = { min: 1, max: 200, empty: 1 } as const;

/** Rows between two progress reports (each is a write); the last row always reports. */
const progressEvery = 25;

export interface CreatedRow {
	line: number;
	id: number;
	name: string;
}

export interface RejectedRow {
	line: number;
	/** `resource.state`, as the API's infos: `character.name_taken`, `class.notfound`… */
	reason: string;
	message: string;
}

/** A job's output: every data row of the file is in one list or the other, in the file's order. */
export interface ImportResult {
	created: CreatedRow[];
	rejected: RejectedRow[];
}

/**
 * Stores the upload as the user's `character-import` file (counted in their quota) and queues its import in the
 * transaction that marks the file stored: the job exists if and only if the file does. Resolves with the job's id.
 * Throws what `files.store` throws (QuotaExceededError, StorageUnavailableError…).
 */
export async function queueCharacterImport(
	files: FileService,
	jobs: JobQueue,
	userId: number,
	upload: FileSource,
): Promise<string> {
	const queued: { id?: string | null } = {};
	await files.store(
		{ ownerId: userId, purpose: "character-import", file: upload },
		{
			inTransaction: async (tx, stored) => {
				queued.id = await jobs.enqueue(
					characterImportJob,
					{ fileId: stored.file.id, userId },
					{ executor: tx, requestedBy: userId },
				);
			},
		},
	);
	// Not a singleton kind: enqueue returns null for those only.
	if (queued.id === undefined || queued.id === null) throw new Error("the character import was not queued");
	return queued.id;
}

/**
 * The job's file and its bytes, read whole (at most `characterImportUpload.maxBytes`). Throws ImportFileError when it is
 * not the user's import file any more (deleted meanwhile, its object lost); a storage that is down throws as it does.
 */
export async function readImportFile(
	files: FileService,
	fileId: string,
	userId: number,
): Promise<{ file: FileRecord; bytes: Buffer }> {
	let opened: Awaited<ReturnType<FileService["open"]>>;
	try {
		opened = await files.open(fileId);
	} catch (error) {
		if (error instanceof ObjectNotFoundError) throw new ImportFileError("The uploaded file's content is gone.");
		throw error;
	}
	if (opened === undefined || opened.file.ownerId !== userId || opened.file.purpose !== "character-import") {
		opened?.object.body.destroy();
		throw new ImportFileError("The uploaded file is gone: upload it again.");
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of opened.object.body) {
		size += (chunk as Buffer).length;
		if (size > characterImportUpload.maxBytes) {
			opened.object.body.destroy();
			throw new ImportFileError(`The file is larger than ${characterImportUpload.maxBytes} bytes.`);
		}
		chunks.push(chunk as Buffer);
	}
	return { file: opened.file, bytes: Buffer.concat(chunks) };
}

/** Deletes the job's file once the job is over, if it is the user's import file: a payload never deletes another's. */
export async function removeImportFile(files: FileService, fileId: string, userId: number): Promise<void> {
	const file = await files.find(fileId);
	if (file?.ownerId === userId && file.purpose === "character-import") await files.remove(fileId);
}

/** Spelling and accents aside: "cra", "Crâ" and " CRA " name the same class. */
function fold(value: string): string {
	return value.normalize("NFD").replace(/\p{M}/gu, "").replace(/\s+/g, " ").trim().toLowerCase();
}

/** Finds a reference row by name (case and accents aside; an exact case-insensitive match first) or by id. */
function referenceIndex(rows: readonly { id: number; name: string }[]) {
	const byLowerName = new Map<string, number[]>();
	const byFoldedName = new Map<string, number[]>();
	for (const row of rows) {
		const lower = row.name.trim().toLowerCase();
		byLowerName.set(lower, [...(byLowerName.get(lower) ?? []), row.id]);
		byFoldedName.set(fold(row.name), [...(byFoldedName.get(fold(row.name)) ?? []), row.id]);
	}
	const ids = new Set(rows.map((row) => row.id));
	const single = (found: number[] | undefined) => (found?.length === 1 ? found[0] : undefined);
	return (value: string): number | undefined =>
		single(byLowerName.get(value.toLowerCase())) ??
		single(byFoldedName.get(fold(value))) ??
		(/^\d{1,9}$/.test(value) && ids.has(Number(value)) ? Number(value) : undefined);
}

/** A value as a message quotes it: short, and never a whole line of junk. */
function quoted(value: string): string {
	return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

interface CharacterValues {
	accountId: number;
	name: string;
	level: number;
	classId: number;
	serverId: number;
}

type Lookups = {
	classOf: (value: string) => number | undefined;
	serverOf: (value: string) => number | undefined;
	serverName: (id: number) => string;
	/** The user's own game accounts only: another user's account name finds nothing. */
	accountOf: (value: string) => number | undefined;
};

/** The row's character, or why it has none; the first problem in column order wins. */
function checkRow(row: ImportRow, lookups: Lookups): { values: CharacterValues } | { rejected: RejectedRow } {
	const reject = (reason: string, message: string) => ({ rejected: { line: row.line, reason, message } });
	const { values } = row;
	if (row.extraValues > 0)
		return reject(
			"row.too_many_values",
			`This line has ${row.extraValues} value${row.extraValues > 1 ? "s" : ""} past the header's columns.`,
		);
	const name = characterName.safeParse(values.name);
	if (!name.success)
		return reject(
			"character.name_invalid",
			values.name === "" ? "The name is empty." : `A name has 2 to 50 characters: ${quoted(values.name)} does not.`,
		);
	let level: number = levelRange.empty;
	if (values.level !== "") {
		level = /^\d{1,4}$/.test(values.level) ? Number(values.level) : Number.NaN;
		if (!(level >= levelRange.min && level <= levelRange.max))
			return reject(
				"character.level_invalid",
				`The level is a whole number from ${levelRange.min} to ${levelRange.max} (empty for ${levelRange.empty}), not ${quoted(values.level)}.`,
			);
	}
	const classId = lookups.classOf(values.class);
	if (classId === undefined)
		return reject(
			"class.notfound",
			values.class === ""
				? "The class is empty."
				: `No class is named ${quoted(values.class)}: use a name or an id of GET /api/classes.`,
		);
	const serverId = lookups.serverOf(values.server);
	if (serverId === undefined)
		return reject(
			"server.notfound",
			values.server === ""
				? "The server is empty."
				: `No server is named ${quoted(values.server)}: use a name or an id of GET /api/servers.`,
		);
	const accountId = lookups.accountOf(values.account);
	if (accountId === undefined)
		return reject(
			"account.notfound",
			values.account === ""
				? "The game account is empty."
				: `You have no game account named ${quoted(values.account)}.`,
		);
	return { values: { accountId, name: name.data, level, classId, serverId } };
}

export interface ImportRunOptions {
	userId: number;
	rows: readonly ImportRow[];
	/**
	 * Set on a retry: the earlier attempt may have created some rows' characters before it died. A row whose name is
	 * taken by a character exactly like it (same account, server, class and level) created since `since` (the file's
	 * upload) counts as created, once per character.
	 */
	retry?: { since: Date };
	/** Checked before each row: an aborted run stops there (the rows done so far stay). */
	signal?: AbortSignal;
	/** Called with the rows done every few rows and after the last one; it may throw to stop the run. */
	progress?: (done: number, total: number, message: string) => Promise<void>;
}

export function createCharacterImporter({ db, characters }: { db: Database; characters: CharacterService }) {
	async function lookups(userId: number): Promise<Lookups> {
		const [classRows, serverRows, accountRows] = await Promise.all([
			db.select({ id: classes.id, name: classes.name }).from(classes),
			db.select({ id: servers.id, name: servers.name }).from(servers),
			db
				.select({ id: gameAccounts.id, name: gameAccounts.name })
				.from(gameAccounts)
				.where(eq(gameAccounts.userId, userId)),
		]);
		// Unique by lower(name) per user (game_accounts_user_name_unique).
		const accounts = new Map(accountRows.map((row) => [row.name.trim().toLowerCase(), row.id]));
		const serverNames = new Map(serverRows.map((row) => [row.id, row.name]));
		return {
			classOf: referenceIndex(classRows),
			serverOf: referenceIndex(serverRows),
			serverName: (id) => serverNames.get(id) ?? `server ${id}`,
			accountOf: (value) => accounts.get(value.toLowerCase()),
		};
	}

	/** The character an earlier attempt created for these values, if any, and not yet counted for another row. */
	async function createdEarlier(values: CharacterValues, since: Date, counted: readonly number[]) {
		const [found] = await db
			.select({ id: characterRows.id, name: characterRows.name })
			.from(characterRows)
			.where(
				and(
					eq(characterRows.accountId, values.accountId),
					eq(characterRows.serverId, values.serverId),
					eq(characterRows.classId, values.classId),
					eq(characterRows.level, values.level),
					sql`lower(${characterRows.name}) = lower(${values.name})`,
					gte(characterRows.createdAt, since),
					counted.length === 0 ? undefined : notInArray(characterRows.id, [...counted]),
				),
			)
			.limit(1);
		return found;
	}

	return {
		async run({ userId, rows, retry, signal, progress }: ImportRunOptions): Promise<ImportResult> {
			const found = await lookups(userId);
			const result: ImportResult = { created: [], rejected: [] };
			const total = rows.length;
			const report = (done: number) =>
				progress?.(
					done,
					total,
					`${done} of ${total} rows: ${result.created.length} created, ${result.rejected.length} rejected`,
				);
			await report(0);
			for (const [index, row] of rows.entries()) {
				signal?.throwIfAborted();
				const checked = checkRow(row, found);
				if ("rejected" in checked) result.rejected.push(checked.rejected);
				else {
					const { values } = checked;
					try {
						const character = await characters.create(values, userId);
						result.created.push({ line: row.line, id: character.id, name: character.name });
					} catch (error) {
						const refused = mapDatabaseError(error);
						// Anything but a refusal (the database is down…) fails the run: it is retried.
						if (refused === null) throw error;
						const earlier =
							retry !== undefined && refused.info === "character.name_taken"
								? await createdEarlier(
										values,
										retry.since,
										result.created.map((created) => created.id),
									)
								: undefined;
						if (earlier !== undefined) result.created.push({ line: row.line, ...earlier });
						else
							result.rejected.push({
								line: row.line,
								reason: refused.info,
								message:
									refused.info === "character.name_taken"
										? `A character named ${quoted(values.name)} already exists on ${found.serverName(values.serverId)}.`
										: `The database refused this character (${refused.info}).`,
							});
					}
				}
				const done = index + 1;
				if (done % progressEvery === 0 || done === total) await report(done);
			}
			return result;
		},
	};
}

export type CharacterImporter = ReturnType<typeof createCharacterImporter>;
