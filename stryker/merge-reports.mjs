// Joins the two mutation reports (core, security) into reports/mutation/mutation.json and prints the score per file.
// The reports follow the mutation-testing-report schema: one `files` map keyed by path, so joining is a union.
import { readFile, writeFile } from "node:fs/promises";

const parts = ["core", "security"];
const detected = new Set(["Killed", "Timeout"]);
const counted = new Set(["Killed", "Timeout", "Survived", "NoCoverage"]);

const reports = await Promise.all(
	parts.map(async (part) => JSON.parse(await readFile(`reports/mutation/${part}/mutation.json`, "utf8"))),
);
const merged = { ...reports[0], files: Object.assign({}, ...reports.map((report) => report.files)) };
await writeFile("reports/mutation/mutation.json", `${JSON.stringify(merged)}\n`);

function score(mutants) {
	const valid = mutants.filter((mutant) => counted.has(mutant.status));
	const killed = valid.filter((mutant) => detected.has(mutant.status)).length;
	return { killed, valid: valid.length, percent: valid.length === 0 ? 100 : (100 * killed) / valid.length };
}

const rows = [];
for (const [index, part] of parts.entries()) {
	const files = Object.entries(reports[index].files);
	for (const [path, file] of files) rows.push({ part, path, ...score(file.mutants) });
	rows.push({ part, path: `(all of ${part})`, ...score(files.flatMap(([, file]) => file.mutants)) });
}
const width = Math.max(...rows.map((row) => row.path.length));
for (const row of rows)
	process.stdout.write(
		`${row.path.padEnd(width)}  ${row.percent.toFixed(1).padStart(5)} %  ${row.killed}/${row.valid}\n`,
	);
process.stdout.write("wrote reports/mutation/mutation.json\n");
