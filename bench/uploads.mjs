// `npm run bench:uploads`: portrait uploads to `node dist/main.js` (a real process, PGlite, APP_ENV=PROD), on the
// filesystem storage and on S3 (a local s3rver): throughput (MiB/s) of 20 parallel 2 MiB uploads and the server's
// resident memory while they run; the same picture padded to 256 KiB, 1 MiB and 2 MiB (memory must not follow the file
// size: uploads are streamed); and 20 parallel 50 MiB uploads refused at 2 MiB.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import S3rver from "s3rver";
import sharp from "sharp";
import { startServer } from "./lib/processes.mjs";
import { median } from "./lib/stats.mjs";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const root = join(benchDir, "..");
const log = (line) => process.stderr.write(`${line}\n`);
const MiB = 1024 * 1024;

const { values: options } = parseArgs({
	options: {
		storage: { type: "string", multiple: true },
		parallel: { type: "string", default: "20" },
		rounds: { type: "string", default: "3" },
		pin: { type: "boolean", default: true },
		"no-pin": { type: "boolean", default: false },
	},
});
const storages = options.storage ?? ["filesystem", "s3"];
const parallel = Number(options.parallel);
const rounds = Number(options.rounds);
const pin = options.pin && !options["no-pin"];
const distDir = process.env.BENCH_DIST_DIR || join(root, "dist");

/** A port nothing listens on now (another benchmark may hold a fixed one: its answers would be measured instead). */
function freePort() {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once("error", reject);
		probe.listen(0, "127.0.0.1", () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
}

/** How many times each value occurs. */
function tally(values) {
	const counts = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}

/** The value below which `p` percent of the samples fall (nearest rank). */
function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ---------------------------------------------------------------------------------------------------
// Pictures: one real 2 MiB PNG (noise does not compress), and one small picture padded after its end (decoders stop
// at IEND) to several sizes, so that what changes between those runs is the number of bytes and nothing else.

async function noisePng(limit) {
	let side = 830;
	for (;;) {
		const pixels = randomBytes(side * side * 3);
		const png = await sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
			.png({ compressionLevel: 1 })
			.toBuffer();
		if (png.length <= limit) return { bytes: png, width: side, height: side };
		side -= 10;
	}
}

async function paddedPng(size) {
	const png = await sharp({ create: { width: 512, height: 512, channels: 3, background: { r: 180, g: 90, b: 40 } } })
		.png()
		.toBuffer();
	return { bytes: Buffer.concat([png, Buffer.alloc(size - png.length)]), width: 512, height: 512 };
}

// ---------------------------------------------------------------------------------------------------
// The server's resident memory, read from /proc while a round runs.

function rssMb(pid) {
	try {
		return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
	} catch {
		return Number.NaN;
	}
}

function sampleRss(pid, everyMs = 10) {
	const samples = [rssMb(pid)];
	const timer = setInterval(() => samples.push(rssMb(pid)), everyMs);
	return {
		stop() {
			clearInterval(timer);
			samples.push(rssMb(pid));
			return { before: samples[0], peak: Math.max(...samples), after: samples.at(-1) };
		},
	};
}

// ---------------------------------------------------------------------------------------------------
// HTTP: JSON calls, and multipart uploads over node:http (the body written as it is, one connection each).

async function call(base, method, path, body, token) {
	const response = await fetch(base + path, {
		method,
		headers: {
			...(body === undefined ? {} : { "content-type": "application/json" }),
			...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
	return text === "" ? undefined : JSON.parse(text);
}

function form() {
	const boundary = `----bench${randomBytes(8).toString("hex")}`;
	const head = Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="portrait.png"\r\nContent-Type: image/png\r\n\r\n`,
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	return { head, tail, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One upload; `declaredBytes` of content, of which `content` is the start (the rest is streamed zeros, chunked). */
function upload(port, path, token, content, declaredBytes = content.length) {
	const started = performance.now();
	const { head, tail, contentType } = form();
	const chunked = declaredBytes > content.length;
	return new Promise((resolve) => {
		const headers = { "content-type": contentType, authorization: `Bearer ${token}`, host: "127.0.0.1" };
		if (!chunked) headers["content-length"] = head.length + content.length + tail.length;
		const req = request({ host: "127.0.0.1", port, path, method: "PUT", headers, agent: false }, (res) => {
			if (chunked) {
				// Refused mid-upload: the answer is what counts; the rest of the body is abandoned.
				resolve({ status: res.statusCode, ms: performance.now() - started });
				req.destroy();
				return;
			}
			res.resume();
			res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - started }));
		});
		req.on("error", (error) =>
			resolve({ status: `error ${error.code ?? error.message}`, ms: performance.now() - started }),
		);
		if (!chunked) return void req.end(Buffer.concat([head, content, tail]));
		// A huge upload, written until the server answers or closes.
		let written = 0;
		let stopped = false;
		req.on("response", () => {
			stopped = true;
		});
		req.on("close", () => {
			stopped = true;
		});
		const piece = Buffer.alloc(64 * 1024);
		const more = () => {
			while (!stopped && written < declaredBytes) {
				const chunk = written === 0 ? Buffer.concat([head, content]) : piece;
				written += chunk.length;
				if (!req.write(chunk)) return void req.once("drain", more);
			}
			if (!stopped) req.end(tail);
		};
		more();
	});
}

// ---------------------------------------------------------------------------------------------------

async function runStorage(storage) {
	const work = mkdtempSync(join(tmpdir(), `bench-uploads-${storage}-`));
	const port = await freePort();
	let s3;
	const env = {
		APP_ENV: "PROD",
		LOG_LEVEL: "error",
		SECRETS_KEY: `bench:${randomBytes(32).toString("base64")}`,
		PASSWORD_HASH_COST: "10",
		PGLITE_DIR: join(work, "pglite"),
		STORAGE_DIR: join(work, "files"),
		UPLOADS_PER_MINUTE: "10000",
		UPLOAD_QUOTA_BYTES: String(1024 * MiB),
		CLEANUP_CRON: "off",
		DOFUSDB_SYNC_CRON: "off",
		TMPDIR: join(work, "tmp"),
	};
	mkdirSync(env.TMPDIR);
	if (storage === "s3") {
		s3 = new S3rver({
			address: "127.0.0.1",
			port: 0,
			silent: true,
			directory: join(work, "s3"),
			configureBuckets: [{ name: "bench-files", configs: [] }],
		});
		const address = await s3.run();
		Object.assign(env, {
			STORAGE_DRIVER: "s3",
			S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
			S3_BUCKET: "bench-files",
			S3_ACCESS_KEY_ID: "S3RVER",
			S3_SECRET_ACCESS_KEY: "S3RVER",
		});
	}
	log(`[uploads] ${storage}: starting node ${join(distDir, "main.js")} on port ${port}`);
	const server = await startServer({
		name: `api-${storage}`,
		command: process.execPath,
		args: [join(distDir, "main.js")],
		env,
		cwd: root,
		port,
		readyPath: "/health",
		pin,
	});
	const base = server.url;
	try {
		const email = `bench-${randomBytes(4).toString("hex")}@example.test`;
		const password = "correct horse battery staple";
		await call(base, "POST", "/api/auth/register", { email, password, displayName: "Bench" });
		const { accessToken: token } = await call(base, "POST", "/api/auth/login", { email, password });
		const { account } = await call(base, "POST", "/api/accounts", { name: "bench" }, token);
		const characters = [];
		for (let index = 0; index < parallel; index++) {
			const body = { accountId: account.id, name: `Bench ${index}`, level: 100, classId: 8, serverId: 2 };
			characters.push((await call(base, "POST", "/api/characters", body, token)).character);
		}
		const url = (index) => `/api/characters/${characters[index].id}/portrait`;

		const limit = 2 * MiB - 4096;
		const cases = [
			{ name: "real 2 MiB PNG (noise)", picture: await noisePng(limit) },
			{ name: "512 px PNG padded to 256 KiB", picture: await paddedPng(256 * 1024) },
			{ name: "512 px PNG padded to 1 MiB", picture: await paddedPng(MiB) },
			{ name: "512 px PNG padded to 2 MiB", picture: await paddedPng(limit) },
		];
		// Warm-up: every code path once, so the first measured round does not pay for loading and compiling.
		await Promise.all(characters.map((_, index) => upload(port, url(index), token, cases[0].picture.bytes)));

		const results = [];
		for (const { name, picture } of cases) {
			const roundsDone = [];
			for (let round = 0; round < rounds; round++) {
				const rss = sampleRss(server.child.pid);
				const started = performance.now();
				const answers = await Promise.all(characters.map((_, index) => upload(port, url(index), token, picture.bytes)));
				const seconds = (performance.now() - started) / 1000;
				const memory = rss.stop();
				const ok = answers.filter((answer) => answer.status === 200).length;
				roundsDone.push({
					seconds,
					ok,
					mibPerSecond: (ok * picture.bytes.length) / MiB / seconds,
					latency: answers.map((answer) => answer.ms),
					memory,
				});
			}
			const latencies = roundsDone.flatMap((round) => round.latency);
			const result = {
				storage,
				case: name,
				fileMiB: picture.bytes.length / MiB,
				pixels: `${picture.width}×${picture.height}`,
				parallel,
				rounds,
				ok: roundsDone.reduce((sum, round) => sum + round.ok, 0),
				of: parallel * rounds,
				mibPerSecond: median(roundsDone.map((round) => round.mibPerSecond)),
				uploadsPerSecond: median(roundsDone.map((round) => round.ok / round.seconds)),
				p50Ms: median(latencies),
				p99Ms: percentile(latencies, 99),
				rssBeforeMb: median(roundsDone.map((round) => round.memory.before)),
				rssPeakMb: Math.max(...roundsDone.map((round) => round.memory.peak)),
				rssGrowthMb: median(roundsDone.map((round) => round.memory.peak - round.memory.before)),
			};
			log(
				`[uploads] ${storage} · ${name}: ${result.mibPerSecond.toFixed(1)} MiB/s, p50 ${result.p50Ms.toFixed(0)} ms, RSS ${result.rssBeforeMb.toFixed(0)} → peak ${result.rssPeakMb.toFixed(0)} MB`,
			);
			results.push(result);
		}

		// Refused while arriving: 50 MiB each against the 2 MiB limit, chunked (no size announced).
		const rss = sampleRss(server.child.pid);
		const started = performance.now();
		const refused = await Promise.all(
			characters.map((_, index) => upload(port, url(index), token, cases[0].picture.bytes.subarray(0, 8192), 50 * MiB)),
		);
		const memory = rss.stop();
		results.push({
			storage,
			case: "50 MiB refused at 2 MiB (413)",
			fileMiB: 50,
			parallel,
			rounds: 1,
			ok: refused.filter((answer) => answer.status === 413).length,
			of: parallel,
			statuses: tally(refused.map((answer) => answer.status)),
			seconds: (performance.now() - started) / 1000,
			p50Ms: median(refused.map((answer) => answer.ms)),
			rssBeforeMb: memory.before,
			rssPeakMb: memory.peak,
			rssGrowthMb: memory.peak - memory.before,
		});
		log(
			`[uploads] ${storage} · 50 MiB refused: ${JSON.stringify(results.at(-1).statuses)}, RSS ${memory.before.toFixed(0)} → peak ${memory.peak.toFixed(0)} MB`,
		);
		return results;
	} finally {
		await server.stop();
		await s3?.close();
		rmSync(work, { recursive: true, force: true });
	}
}

function markdown(results, meta) {
	const rows = results.map(
		(r) =>
			`| ${r.storage} | ${r.case} | ${r.fileMiB.toFixed(2)} | ${r.ok}/${r.of} | ${r.mibPerSecond === undefined ? "–" : r.mibPerSecond.toFixed(1)} | ${r.p50Ms.toFixed(0)} | ${r.p99Ms === undefined ? "–" : r.p99Ms.toFixed(0)} | ${r.rssBeforeMb.toFixed(0)} | ${r.rssPeakMb.toFixed(0)} | ${r.rssGrowthMb.toFixed(0)} |`,
	);
	return [
		`# Upload benchmark (${meta.at})`,
		"",
		`\`node dist/main.js\`, APP_ENV=PROD, PGlite, ${meta.parallel} parallel uploads to PUT /api/characters/{id}/portrait (each re-encoded by sharp into two WebP variants), ${meta.rounds} rounds per case; ${meta.cpus} CPUs (load average ${meta.loadAverage.join(", ")} at the end), server pinned: ${meta.pin}. RSS is the server process's (PGlite runs inside it). A 413 row counts the answers that arrived; an upload still being written when the server cut the connection (past the 16 MiB drain bound) counts as not.`,
		"",
		"| storage | case | file MiB | 2xx (or 413) | MiB/s | p50 ms | p99 ms | RSS before MB | RSS peak MB | growth MB |",
		"| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
		...rows,
		"",
	].join("\n");
}

const results = [];
for (const storage of storages) results.push(...(await runStorage(storage)));
const at = new Date().toISOString();
const meta = {
	at,
	parallel,
	rounds,
	pin,
	cpus: cpus().length,
	loadAverage: loadavg().map((load) => Number(load.toFixed(1))),
};
const resultsDir = join(benchDir, "results");
mkdirSync(resultsDir, { recursive: true });
const stamp = at.replace(/[:.]/g, "-");
writeFileSync(join(resultsDir, `uploads-${stamp}.json`), `${JSON.stringify({ meta, results }, null, 2)}\n`);
const report = markdown(results, meta);
writeFileSync(join(resultsDir, `uploads-${stamp}.md`), report);
process.stdout.write(report);
