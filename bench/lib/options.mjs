// Benchmark options: command-line flags (--connections=50) override environment variables (BENCH_CONNECTIONS=50).
const definitions = {
	connections: {
		env: "BENCH_CONNECTIONS",
		default: 64,
		type: "int",
		help: "concurrent connections of the load generator",
	},
	duration: {
		env: "BENCH_DURATION",
		default: 3,
		type: "number",
		help: "seconds per slice (one contestant, one iteration)",
	},
	warmup: { env: "BENCH_WARMUP", default: 3, type: "number", help: "seconds of warm-up per contestant and scenario" },
	rounds: {
		env: "BENCH_ROUNDS",
		default: 12,
		type: "int",
		help: "iterations; each runs every contestant once, in rotating order",
	},
	load: {
		env: "BENCH_LOAD",
		default: "wrk",
		type: "choice",
		choices: ["wrk", "autocannon"],
		help: "load generator: wrk (-t1, C, default) or autocannon (Node, in a child process)",
	},
	scenarios: {
		env: "BENCH_SCENARIOS",
		default: "",
		type: "list",
		help: "scenario ids to run, e.g. hello,users (default: all)",
	},
	contestants: {
		env: "BENCH_CONTESTANTS",
		default: "",
		type: "list",
		help: "contestants to run, e.g. dofus-manager,node-http-minimal (default: all)",
	},
	port: { env: "BENCH_PORT", default: 3400, type: "int", help: "first port; each server gets its own" },
	pin: {
		env: "BENCH_PIN",
		default: true,
		type: "bool",
		help: "pin servers to CPU 1 and the load generator to CPU 0 with taskset",
	},
	profile: {
		env: "BENCH_PROFILE",
		default: false,
		type: "bool",
		help: "run dofus-manager under node --cpu-prof (profiles in bench/results/profiles)",
	},
	inject: { env: "BENCH_INJECT", default: true, type: "bool", help: "also run the app.inject micro-benchmark" },
	tenancy: {
		env: "BENCH_TENANCY",
		default: true,
		type: "bool",
		help: "also run the tenancy benchmark (bench/tenancy.mjs, ~5 min; alone: --scenarios=tenancy)",
	},
	fleet: {
		env: "BENCH_FLEET",
		default: true,
		type: "bool",
		help: "also run the fleet benchmark (bench/fleet.mjs, 1 vs 3 instances behind PgBouncer, ~1 min; alone: --scenarios=fleet)",
	},
	realtime: {
		env: "BENCH_REALTIME",
		default: true,
		type: "bool",
		help: "also run the real-time benchmark (bench/realtime.mjs, ~4 min; alone: --scenarios=realtime)",
	},
};

function convert(name, definition, raw) {
	switch (definition.type) {
		case "int":
		case "number": {
			const value = Number(raw);
			if (!Number.isFinite(value) || value <= 0 || (definition.type === "int" && !Number.isInteger(value))) {
				throw new Error(
					`--${name}: expected a positive ${definition.type === "int" ? "integer" : "number"}, got "${raw}"`,
				);
			}
			return value;
		}
		case "bool":
			if (raw === true || ["1", "true", "yes"].includes(String(raw))) return true;
			if (["0", "false", "no"].includes(String(raw))) return false;
			throw new Error(`--${name}: expected true or false, got "${raw}"`);
		case "choice":
			if (!definition.choices.includes(String(raw)))
				throw new Error(`--${name}: expected one of ${definition.choices.join(", ")}, got "${raw}"`);
			return String(raw);
		case "list":
			return String(raw)
				.split(",")
				.map((item) => item.trim())
				.filter((item) => item !== "");
	}
}

export function usage() {
	const lines = ["Usage: npm run bench -- [--option=value ...]", ""];
	for (const [name, definition] of Object.entries(definitions)) {
		lines.push(
			`  --${name.padEnd(12)} ${definition.env.padEnd(18)} ${definition.help} (default: ${definition.default === "" ? "all" : definition.default})`,
		);
	}
	return lines.join("\n");
}

/** Reads the options from `argv` and `env`; throws on an unknown flag or a bad value. */
export function parseOptions(argv = process.argv.slice(2), env = process.env) {
	const options = {};
	for (const [name, definition] of Object.entries(definitions)) {
		const raw = env[definition.env];
		options[name] =
			raw === undefined || raw === "" ? convert(name, definition, definition.default) : convert(name, definition, raw);
	}
	for (const argument of argv) {
		if (argument === "--help" || argument === "-h") {
			options.help = true;
			continue;
		}
		const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argument);
		const name = match?.[1].replace(/-([a-z])/g, (_all, letter) => letter.toUpperCase());
		const definition = name === undefined ? undefined : definitions[name];
		if (definition === undefined) throw new Error(`Unknown option ${argument}\n\n${usage()}`);
		const raw = match[2] ?? (definition.type === "bool" ? true : undefined);
		if (raw === undefined) throw new Error(`--${name} needs a value (--${name}=...)`);
		options[name] = convert(name, definition, raw);
	}
	return options;
}
