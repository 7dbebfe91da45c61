// `npm run bench:memory`: the resident memory of `node dist/main.js` on PostgreSQL — idle, after a minute of load, and
// its slope over a soak (10 minutes by default) under `GET /api/characters`. Not speed-sensitive: it may run while the
// machine is busy. Needs DATABASE_URL (a database it may seed with the 10,000 characters of scenario 3).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { contestants } from "./contestants.mjs";
import { sleep, startServer } from "./lib/processes.mjs";
import { median, slope } from "./lib/stats.mjs";
import { runWrk } from "./lib/wrk.mjs";
import { scenarios } from "./scenarios.mjs";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const flag = (name, fallback) => {
	const given = process.argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
	const value = Number(given ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, "_")}`] ?? fallback);
	if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: expected a number, got ${given}`);
	return value;
};
const settings = {
	idleSeconds: flag("idle-seconds", 15),
	loadSeconds: flag("load-seconds", 60),
	soakMinutes: flag("soak-minutes", 10),
	connections: flag("connections", 64),
	sampleSeconds: flag("sample-seconds", 10),
	pin: !process.argv.includes("--pin=false"),
	port: flag("port", 3480),
};
const log = (line) => process.stderr.write(`${line}\n`);
if (!process.env.DATABASE_URL) throw new Error("bench:memory measures the app on PostgreSQL: set DATABASE_URL");

/** Resident set size of a process in MiB, from /proc (Linux). */
async function rssMiB(pid) {
	const status = await readFile(`/proc/${pid}/status`, "utf8");
	const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
	return kib / 1024;
}

const name = "dofus-manager-postgres-10k";
const contestant = contestants[name];
await contestant.prepare({});
const server = await startServer({
	name,
	port: settings.port,
	pin: settings.pin,
	...contestant.server({ profile: false }, {}),
});
const startedAt = new Date();
const startLoad = loadavg();
try {
	const characters = scenarios.find((scenario) => scenario.id === "characters");
	const context = await characters.setup(server.url, name, { [name]: server.url });
	if (context.skip !== undefined) throw new Error(`cannot log in: ${context.skip}`);
	const request = characters.request(context);
	const spec = {
		url: server.url + request.path,
		method: request.method,
		headers: request.headers,
		connections: settings.connections,
	};
	const pid = server.child.pid;

	log(`idle ${settings.idleSeconds} s…`);
	const idleSamples = [];
	for (let second = 0; second < settings.idleSeconds; second++) {
		await sleep(1000);
		idleSamples.push(await rssMiB(pid));
	}
	const idle = median(idleSamples.slice(-5));

	log(`load ${settings.loadSeconds} s…`);
	const loaded = await runWrk({ ...spec, duration: settings.loadSeconds }, settings);
	const afterLoad = await rssMiB(pid);

	log(`soak ${settings.soakMinutes} min, RSS every ${settings.sampleSeconds} s…`);
	const soak = [];
	const soakStart = Date.now();
	const soakEnd = soakStart + settings.soakMinutes * 60_000;
	while (Date.now() < soakEnd) {
		const seconds = Math.min(settings.sampleSeconds, Math.max(1, Math.round((soakEnd - Date.now()) / 1000)));
		const sample = await runWrk({ ...spec, duration: seconds }, settings);
		soak.push({
			minute: (Date.now() - soakStart) / 60_000,
			rssMiB: await rssMiB(pid),
			requestsPerSecond: sample.requestsPerSecond,
			unexpected: sample.outside2xx3xx + sample.errors + sample.timeouts,
		});
	}
	await sleep(5000);
	const idleAfter = await rssMiB(pid);
	const minutes = soak.map((sample) => sample.minute);
	const rss = soak.map((sample) => sample.rssMiB);
	const half = Math.floor(soak.length / 2);
	const result = {
		startedAt: startedAt.toISOString(),
		settings,
		loadAverage: { start: startLoad, end: loadavg() },
		idleMiB: idle,
		afterLoadMiB: afterLoad,
		loadRequestsPerSecond: loaded.requestsPerSecond,
		soakSlopeMiBPerMinute: slope(minutes, rss),
		soakSecondHalfSlopeMiBPerMinute: slope(minutes.slice(half), rss.slice(half)),
		soakMinMiB: Math.min(...rss),
		soakMaxMiB: Math.max(...rss),
		idleAfterSoakMiB: idleAfter,
		soakUnexpected: soak.reduce((sum, sample) => sum + sample.unexpected, 0),
		soak,
	};
	const fmt = (value) => (Number.isFinite(value) ? value.toFixed(1) : "—");
	process.stdout.write(
		[
			`Memory of node dist/main.js on PostgreSQL (${startedAt.toISOString()}, load average ${fmt(loadavg()[0])}), GET /api/characters, wrk -t1 -c${settings.connections}`,
			"",
			`| idle RSS | after ${settings.loadSeconds} s of load | soak (${settings.soakMinutes} min): min–max | soak slope | second half slope | idle after soak | unexpected answers |`,
			"|---:|---:|---:|---:|---:|---:|---:|",
			`| ${fmt(idle)} MiB | ${fmt(afterLoad)} MiB | ${fmt(result.soakMinMiB)}–${fmt(result.soakMaxMiB)} MiB | ${result.soakSlopeMiBPerMinute.toFixed(2)} MiB/min | ${result.soakSecondHalfSlopeMiBPerMinute.toFixed(2)} MiB/min | ${fmt(idleAfter)} MiB | ${result.soakUnexpected} |`,
			"",
		].join("\n"),
	);
	await mkdir(join(benchDir, "results"), { recursive: true });
	const file = join(benchDir, "results", `memory-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
	await writeFile(file, `${JSON.stringify(result, null, "\t")}\n`);
	log(`results written to ${file}`);
} finally {
	await server.stop();
}
