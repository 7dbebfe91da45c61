// Summarises a .cpuprofile (from `npm run bench -- --profile`): top functions by self time, and self time per file.
// Usage: node bench/profile-summary.mjs [file.cpuprofile] [--top=25] [--skip=SECONDS]  (--skip leaves out the boot)   (default: the newest profile in bench/results/profiles)
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { profileDir } from "./contestants.mjs";

const top = Number(process.argv.find((argument) => argument.startsWith("--top="))?.slice(6) ?? 25);
const skipMicros = Number(process.argv.find((argument) => argument.startsWith("--skip="))?.slice(7) ?? 0) * 1e6;
let file = process.argv.slice(2).find((argument) => !argument.startsWith("--"));
if (file === undefined) {
	const names = (await readdir(profileDir)).filter((name) => name.endsWith(".cpuprofile"));
	const dated = await Promise.all(
		names.map(async (name) => ({ name, time: (await stat(join(profileDir, name))).mtimeMs })),
	);
	const newest = dated.sort((a, b) => b.time - a.time)[0];
	if (newest === undefined) throw new Error(`no .cpuprofile in ${profileDir}`);
	file = join(profileDir, newest.name);
}

const profile = JSON.parse(await readFile(file, "utf8"));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map();
let elapsed = 0;
for (let index = 0; index < profile.samples.length; index++) {
	elapsed += profile.timeDeltas[index] ?? 0;
	if (elapsed < skipMicros) continue;
	const id = profile.samples[index];
	selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
}
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

const shortUrl = (url) => {
	const path = url.replace(/^file:\/\//, "");
	const inModules = path.lastIndexOf("/node_modules/");
	return inModules !== -1 ? path.slice(inModules + 1) : path.replace(/^.*\/dist\//, "dist/");
};
const byFunction = new Map();
const byFile = new Map();
for (const [id, micros] of selfMicros) {
	const { callFrame } = byId.get(id);
	const where = callFrame.url === "" ? "(native)" : shortUrl(callFrame.url);
	const key = `${callFrame.functionName || "(anonymous)"}  ${where}:${callFrame.lineNumber + 1}`;
	byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
	byFile.set(where, (byFile.get(where) ?? 0) + micros);
}

const percent = (micros) => `${((micros / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${file}\n${(total / 1e6).toFixed(1)} s sampled\n\nTop ${top} functions by self time:`);
for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
	console.log(`${percent(micros)}  ${key}`);
console.log(`\nSelf time by file:`);
for (const [where, micros] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top))
	console.log(`${percent(micros)}  ${where}`);
