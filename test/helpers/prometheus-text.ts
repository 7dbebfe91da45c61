// A strict reader of the Prometheus text format (0.0.4) for tests: every line must parse, or it throws naming the line.
export interface PrometheusSample {
	/** The line's name, suffix included (`…_bucket`, `…_sum`, `…_count` for a histogram). */
	name: string;
	labels: Record<string, string>;
	value: number;
}

export interface PrometheusFamily {
	name: string;
	type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
	help: string | undefined;
	samples: PrometheusSample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const suffixes: Record<PrometheusFamily["type"], readonly string[]> = {
	counter: [""],
	gauge: [""],
	untyped: [""],
	histogram: ["_bucket", "_sum", "_count"],
	summary: ["", "_sum", "_count"],
};

/** As Prometheus reads values (Go's ParseFloat): special values in any case — prom-client writes `Nan`. */
function parseValue(text: string): number | undefined {
	const lower = text.toLowerCase();
	if (lower === "nan") return Number.NaN;
	if (["inf", "+inf", "infinity", "+infinity"].includes(lower)) return Number.POSITIVE_INFINITY;
	if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
	return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** `{a="1",b="x\"y"}` from `text` at `start` (the `{`): the labels and where the block ends. */
function parseLabels(text: string, start: number, fail: (why: string) => never) {
	const labels: Record<string, string> = {};
	let at = start + 1;
	while (text[at] !== "}") {
		const equals = text.indexOf("=", at);
		if (equals === -1) fail("a label without =");
		const name = text.slice(at, equals);
		if (!labelName.test(name)) fail(`label name "${name}"`);
		if (name in labels) fail(`label "${name}" given twice`);
		if (text[equals + 1] !== '"') fail(`label "${name}" value not quoted`);
		let value = "";
		let index = equals + 2;
		for (;;) {
			const char = text[index];
			if (char === undefined) fail(`label "${name}" value not closed`);
			if (char === '"') break;
			if (char === "\\") {
				const escaped = text[index + 1];
				if (escaped === "\\") value += "\\";
				else if (escaped === '"') value += '"';
				else if (escaped === "n") value += "\n";
				else fail(`label "${name}" has a bad escape`);
				index += 2;
				continue;
			}
			if (char === "\n") fail("a line break inside a label value");
			value += char;
			index++;
		}
		labels[name] = value;
		at = index + 1;
		if (text[at] === ",") at++;
		else if (text[at] !== "}") fail(`"${text[at] ?? "end of line"}" after label "${name}"`);
	}
	return { labels, end: at + 1 };
}

/**
 * Parses a whole exposition. Rejects: unknown comment forms, a TYPE after its samples or given twice, samples of a
 * family without a TYPE, names or suffixes that do not belong to their family, bad label syntax or escapes, values
 * that are not numbers, a series given twice, histogram buckets without `le`, not cumulative, or without a `+Inf`
 * bucket equal to `_count`.
 */
export function parsePrometheusText(text: string): Map<string, PrometheusFamily> {
	const families = new Map<string, PrometheusFamily>();
	const seen = new Set<string>();
	if (!text.endsWith("\n")) throw new Error("the exposition does not end with a line break");
	const lines = text.slice(0, -1).split("\n");
	for (const [index, line] of lines.entries()) {
		// Typed on the binding so that a call narrows like a throw.
		const fail: (why: string) => never = (why) => {
			throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
		};
		if (line === "") continue;
		if (line.startsWith("#")) {
			const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
			if (match === null) {
				if (/^# (HELP|TYPE)\b/.test(line)) fail("malformed HELP or TYPE");
				continue; // other comments are allowed
			}
			const [, keyword, name = "", rest = ""] = match;
			if (!metricName.test(name)) fail(`metric name "${name}"`);
			const family = families.get(name);
			if (keyword === "TYPE") {
				if (!types.has(rest)) fail(`type "${rest}"`);
				if (family?.samples.length) fail("TYPE after the family's samples");
				if (family !== undefined && family.type !== "untyped") fail("TYPE given twice");
				families.set(name, {
					name,
					type: rest as PrometheusFamily["type"],
					help: family?.help,
					samples: family?.samples ?? [],
				});
			} else {
				if (family?.help !== undefined) fail("HELP given twice");
				families.set(
					name,
					family === undefined ? { name, type: "untyped", help: rest, samples: [] } : { ...family, help: rest },
				);
			}
			continue;
		}
		const brace = line.indexOf("{");
		const space = line.indexOf(" ");
		const nameEnd = brace !== -1 && (space === -1 || brace < space) ? brace : space;
		if (nameEnd <= 0) fail("no value");
		const name = line.slice(0, nameEnd);
		if (!metricName.test(name)) fail(`metric name "${name}"`);
		let labels: Record<string, string> = {};
		let rest = line.slice(nameEnd);
		if (line[nameEnd] === "{") {
			const parsed = parseLabels(line, nameEnd, fail);
			labels = parsed.labels;
			rest = line.slice(parsed.end);
		}
		const parts = rest.split(" ");
		if (parts[0] !== "" || parts.length < 2 || parts.length > 3)
			fail("expected one space, a value and maybe a timestamp");
		const value = parseValue(parts[1] as string);
		if (value === undefined) fail(`value "${parts[1]}"`);
		if (parts.length === 3 && !/^-?\d+$/.test(parts[2] as string)) fail(`timestamp "${parts[2]}"`);
		const family = [...families.values()].find((candidate) =>
			suffixes[candidate.type].some((suffix) => `${candidate.name}${suffix}` === name),
		);
		if (family === undefined || family.type === "untyped") fail(`sample of no declared family`);
		const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
		if (seen.has(series)) fail("series given twice");
		seen.add(series);
		if (family.type === "histogram" && name.endsWith("_bucket") && labels.le === undefined) fail("bucket without le");
		family.samples.push({ name, labels, value: value as number });
	}
	for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
	return families;
}

function checkHistogram(family: PrometheusFamily): void {
	const groups = new Map<string, PrometheusSample[]>();
	const key = (labels: Record<string, string>) =>
		JSON.stringify(
			Object.entries(labels)
				.filter(([name]) => name !== "le")
				.sort(),
		);
	for (const sample of family.samples)
		groups.set(key(sample.labels), [...(groups.get(key(sample.labels)) ?? []), sample]);
	for (const [labels, samples] of groups) {
		const buckets = samples.filter((sample) => sample.name.endsWith("_bucket"));
		let previous = -1;
		let last = Number.NEGATIVE_INFINITY;
		for (const bucket of buckets) {
			const bound = parseValue(bucket.labels.le as string);
			if (bound === undefined || bound <= last) throw new Error(`${family.name}${labels}: buckets out of order`);
			if (bucket.value < previous) throw new Error(`${family.name}${labels}: buckets not cumulative`);
			last = bound;
			previous = bucket.value;
		}
		const count = samples.find((sample) => sample.name === `${family.name}_count`);
		if (last !== Number.POSITIVE_INFINITY || count === undefined || count.value !== previous)
			throw new Error(`${family.name}${labels}: no +Inf bucket equal to _count`);
	}
}

/** The value of the one sample of `family` whose labels include `labels` (undefined when none matches). */
export function sampleValue(
	families: Map<string, PrometheusFamily>,
	name: string,
	labels: Record<string, string> = {},
): number | undefined {
	for (const family of families.values())
		for (const sample of family.samples)
			if (sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
				return sample.value;
	return undefined;
}
