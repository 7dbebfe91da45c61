// Specification of the character import's CSV reader: the header (any order and case, `,` or `;`, BOM), each row's
// values and the line it starts on, and the files it refuses whole.
import { describe, expect, it } from "vitest";
import { ImportFileError, maxImportRows, readImportCsv } from "../../src/services/character-import-csv.js";

const csv = (text: string) => Buffer.from(text, "utf8");
const blank = { name: "", level: "", class: "", server: "", account: "" };

function refusal(bytes: Buffer): string {
	try {
		readImportCsv(bytes);
	} catch (error) {
		if (error instanceof ImportFileError) return error.message;
		throw error;
	}
	throw new Error("the file was read");
}

describe("readImportCsv", () => {
	it("reads each row's values by the header's names, in any order and case, trimmed", () => {
		const table = readImportCsv(csv("Server, NAME ,class,Account,Level\nDakal,  Bob ,Iop,main,12\n"));
		expect(table.rows).toEqual([
			{ line: 2, values: { name: "Bob", level: "12", class: "Iop", server: "Dakal", account: "main" }, extraValues: 0 },
		]);
		expect(table.delimiter).toBe(",");
	});

	it("reads `;` between values when the header has more of them than commas", () => {
		const table = readImportCsv(csv("name;level;class;server;account\nBob;12;Iop;Hell Mina;main, the first\n"));
		expect(table.delimiter).toBe(";");
		expect(table.rows[0]?.values).toEqual({
			name: "Bob",
			level: "12",
			class: "Iop",
			server: "Hell Mina",
			account: "main, the first",
		});
	});

	it("ignores a byte order mark and Windows line ends", () => {
		const table = readImportCsv(
			csv("\uFEFFname,class,server,account\r\nBob,Iop,Dakal,main\r\nAlice,Cra,Dakal,main\r\n"),
		);
		expect(table.rows.map((row) => [row.line, row.values.name])).toEqual([
			[2, "Bob"],
			[3, "Alice"],
		]);
	});

	it("numbers each row by the line of the file it starts on, past empty lines, blank rows and quoted line breaks", () => {
		const text = [
			"name,class,server,account",
			"Bob,Iop,Dakal,main",
			"",
			",,,",
			'"Two\r\nlines",Iop,Dakal,main',
			"Alice,Cra,Dakal,main",
		].join("\r\n");
		expect(readImportCsv(csv(text)).rows.map((row) => [row.line, row.values.name])).toEqual([
			[2, "Bob"],
			[5, "Two\r\nlines"],
			[7, "Alice"],
		]);
	});

	it("leaves a missing level column empty, and ignores columns it does not know", () => {
		const table = readImportCsv(csv("name,class,server,account,notes\nBob,Iop,Dakal,main,my main\n"));
		expect(table.rows[0]?.values).toEqual({ ...blank, name: "Bob", class: "Iop", server: "Dakal", account: "main" });
		expect(table.ignoredColumns).toEqual(["notes"]);
	});

	it("counts the non-empty values past the header's columns, and reads missing ones as empty", () => {
		const table = readImportCsv(csv("name,class,server,account\nBob,Iop,Dakal,main,extra,,more\nAlice,Cra\n"));
		expect(table.rows.map((row) => row.extraValues)).toEqual([2, 0]);
		expect(table.rows[1]?.values).toEqual({ ...blank, name: "Alice", class: "Cra" });
	});

	it("takes a header alone: no rows", () => {
		expect(readImportCsv(csv("name,class,server,account\n")).rows).toEqual([]);
	});

	it(`takes ${maxImportRows} rows, and refuses one more before reading any`, () => {
		const lines = (count: number) =>
			["name,class,server,account", ...Array.from({ length: count }, (_, index) => `P${index},Iop,Dakal,main`)].join(
				"\n",
			);
		expect(readImportCsv(csv(lines(maxImportRows))).rows).toHaveLength(maxImportRows);
		expect(refusal(csv(lines(maxImportRows + 1)))).toBe(
			"The file has 1001 rows; an import takes at most 1000: split it into several files.",
		);
	});

	it("refuses a header that lacks required columns, naming them", () => {
		expect(refusal(csv("name,level\nBob,12\n"))).toBe(
			"The header (line 1) lacks the columns class, server, account: its first line must name " +
				"name,level,class,server,account (any order; level may be left out).",
		);
	});

	it("refuses a file whose first line is data, not a header", () => {
		expect(refusal(csv("Bob,12,Iop,Dakal,main\n"))).toMatch(/^The header \(line 1\) lacks the columns name, class/);
	});

	it("refuses a header naming a column twice", () => {
		expect(refusal(csv("name,class,server,account,Name\n"))).toBe('The header names the column "name" twice.');
	});

	it("refuses an empty file", () => {
		expect(refusal(csv(""))).toMatch(/^The file is empty/);
	});

	it("refuses bytes that are not UTF-8", () => {
		expect(refusal(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0xff, 0xfe, 0x0a]))).toMatch(/^The file is not UTF-8 text/);
	});

	it("refuses malformed CSV (a quote never closed), saying where", () => {
		expect(refusal(csv('name,class,server,account\n"Bob,Iop,Dakal,main\n'))).toMatch(
			/^The file is not valid CSV: Quote Not Closed: .*line 2/,
		);
	});
});
