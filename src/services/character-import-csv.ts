// Reads the CSV of a character import: its header (which columns, in any order, `,` or `;` between them), then each
// data row's values with the line of the file it starts on. What the values mean is character-import.ts's business.
import { CsvError, parse } from "csv-parse/sync";

export const importColumns = ["name", "level", "class", "server", "account"] as const;
export type ImportColumn = (typeof importColumns)[number];

/** The columns a header must name. `level` may be left out: every character is then level 1. */
const requiredColumns: readonly ImportColumn[] = ["name", "class", "server", "account"];

/** Data rows one import takes; a longer file is refused whole, before any row is imported. */
export const maxImportRows = 1000;

/** The file cannot be imported at all (not UTF-8, not CSV, no usable header, too many rows); `message` says why. */
export class ImportFileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "ImportFileError";
	}
}

export interface ImportRow {
	/** The line of the file the row starts on (the header is line 1, empty lines count). */
	line: number;
	/** Each known column's value, trimmed; "" when empty or missing. */
	values: Record<ImportColumn, string>;
	/** Non-empty values past the header's last column: the row does not fit the header. */
	extraValues: number;
}

export interface ImportTable {
	delimiter: "," | ";";
	/** Header cells that name no known column: their values are ignored. */
	ignoredColumns: string[];
	rows: ImportRow[];
}

const expectedHeader = `${importColumns.join(",")} (any order; level may be left out)`;

/**
 * `,` unless the header line has more `;` (what spreadsheets write where `,` is the decimal mark). Sniffed on the
 * header only: a `;` or `,` inside a quoted name further down must not change how the whole file is read.
 */
function sniffDelimiter(text: string): "," | ";" {
	const end = text.search(/[\r\n]/);
	const header = end === -1 ? text : text.slice(0, end);
	let commas = 0;
	let semicolons = 0;
	let quoted = false;
	for (const character of header) {
		if (character === '"') quoted = !quoted;
		else if (!quoted && character === ",") commas += 1;
		else if (!quoted && character === ";") semicolons += 1;
	}
	return semicolons > commas ? ";" : ",";
}

/**
 * The byte offset where each line starts (`\r\n`, `\r` and `\n` each end one). csv-parse counts a `\r\n` inside a quoted
 * field as two lines, so its own line numbers drift after one; byte offsets it reports exactly.
 */
function lineStarts(bytes: Buffer): number[] {
	const starts = [0];
	for (let index = 0; index < bytes.length; index++) {
		const byte = bytes[index];
		if (byte === 0x0d && bytes[index + 1] === 0x0a) index += 1;
		if (byte === 0x0d || byte === 0x0a) starts.push(index + 1);
	}
	return starts;
}

interface ParsedRecord {
	record: string[];
	info: { bytes: number };
}

function parseRecords(bytes: Buffer, delimiter: string): ParsedRecord[] {
	try {
		return parse(bytes, {
			bom: true,
			delimiter,
			// Rows with more or fewer values than the header are the row's problem, not the file's.
			relax_column_count: true,
			skip_empty_lines: true,
			info: true,
		}) as unknown as ParsedRecord[];
	} catch (error) {
		if (error instanceof CsvError) throw new ImportFileError(`The file is not valid CSV: ${error.message}.`);
		throw error;
	}
}

/** Which column each known name is in; unknown names are kept to be reported. */
function readHeader(cells: readonly string[]): { columns: Map<ImportColumn, number>; ignored: string[] } {
	const columns = new Map<ImportColumn, number>();
	const ignored: string[] = [];
	for (const [index, cell] of cells.entries()) {
		const name = cell.trim().toLowerCase();
		if (name === "") continue;
		const column = importColumns.find((known) => known === name);
		if (column === undefined) {
			ignored.push(cell.trim());
			continue;
		}
		if (columns.has(column)) throw new ImportFileError(`The header names the column "${column}" twice.`);
		columns.set(column, index);
	}
	const missing = requiredColumns.filter((column) => !columns.has(column));
	if (missing.length > 0) {
		throw new ImportFileError(
			`The header (line 1) lacks the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: ` +
				`its first line must name ${expectedHeader}.`,
		);
	}
	return { columns, ignored };
}

/** Reads `bytes` (the whole file: at most a few MiB) or throws ImportFileError saying why it cannot be imported. */
export function readImportCsv(bytes: Buffer): ImportTable {
	let text: string;
	try {
		text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
	} catch {
		throw new ImportFileError("The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8.");
	}
	if (text.includes("\u0000")) throw new ImportFileError("The file is not text: it holds NUL bytes.");
	const delimiter = sniffDelimiter(text.replace(/^\uFEFF/, ""));
	const records = parseRecords(bytes, delimiter);
	const [header, ...data] = records;
	if (header === undefined) throw new ImportFileError(`The file is empty: its first line must name ${expectedHeader}.`);
	const { columns, ignored } = readHeader(header.record);
	const headerWidth = header.record.length;

	const starts = lineStarts(bytes);
	let line = 1;
	let end = header.info.bytes;
	const rows: ImportRow[] = [];
	for (const { record, info } of data) {
		// The record starts after the previous one's end, past the empty lines the parser skipped.
		let start = end;
		while (bytes[start] === 0x0d || bytes[start] === 0x0a) start += 1;
		end = info.bytes;
		while (line < starts.length && (starts[line] as number) <= start) line += 1;
		// A row of empty values (",,,,": what spreadsheets write for a blank row) is no row.
		if (record.every((value) => value.trim() === "")) continue;
		const values = Object.fromEntries(
			importColumns.map((column) => {
				const index = columns.get(column);
				return [column, index === undefined ? "" : (record[index] ?? "").trim()];
			}),
		) as Record<ImportColumn, string>;
		const extraValues = record.slice(headerWidth).filter((value) => value.trim() !== "").length;
		rows.push({ line, values, extraValues });
	}
	if (rows.length > maxImportRows) {
		throw new ImportFileError(
			`The file has ${rows.length} rows; an import takes at most ${maxImportRows}: split it into several files.`,
		);
	}
	return { delimiter, ignoredColumns: ignored, rows };
}
