// Specification of GET /metrics: Prometheus text behind METRICS_TOKEN, per-route figures by pattern, caches, database.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createCharacterAs, createRosterAs } from "../helpers/domain.js";
import { buildIdentityApp, signUp } from "../helpers/identity.js";
import { parsePrometheusText, sampleValue } from "../helpers/prometheus-text.js";
import { createGuildWithSlug, onHost } from "../helpers/tenancy.js";

const token = "scraper-token-0123456789";
const scraper = { headers: { authorization: `Bearer ${token}` } };

let db: Database;
let app: App;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	({ app } = buildIdentityApp(db, { config: { METRICS_TOKEN: token } }));
});

async function scrape(on: App = app) {
	const answer = await anonymous(on).get("/metrics", scraper);
	expect(answer).toAnswer(200, "metrics.exposition");
	return parsePrometheusText(answer.body);
}

describe("GET /metrics", () => {
	it("answers 404 like an unknown path when METRICS_TOKEN is unset", async () => {
		const { app: plain } = buildIdentityApp(db);
		const answer = await anonymous(plain).get("/metrics", scraper);
		const unknown = await anonymous(plain).get("/no-such-path");
		expect(answer).toAnswer(404, unknown.info ?? "");
		expect(answer.json().error).toBe(unknown.json().error);
	});

	it("answers 401 without a token, with a wrong one, or with another scheme", async () => {
		for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Basic ${token}`]) {
			const answer = await anonymous(app).get("/metrics", {
				headers: authorization === undefined ? {} : { authorization },
			});
			expect(answer).toAnswer(401, "metrics.token_invalid");
			expect(answer.headers["www-authenticate"]).toBe(`Bearer realm="metrics"`);
		}
	});

	it("answers Prometheus text that a strict parser reads whole, with the process's event-loop lag", async () => {
		const answer = await anonymous(app).get("/metrics", scraper);
		expect(answer).toAnswer(200, "metrics.exposition");
		expect(answer.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
		const families = parsePrometheusText(answer.body);
		expect(families.get("nodejs_eventloop_lag_seconds")?.type).toBe("gauge");
		expect(families.get("dofus_manager_http_request_duration_seconds")?.type).toBe("histogram");
	});

	it("counts a request under its route pattern, method and status class, never its raw path", async () => {
		const user = await signUp(app);
		await as(app, user).get("/api/teams/424242");
		await as(app, user).get("/api/teams/434343");
		const families = await scrape();
		const labels = { route: "/api/teams/{teamId}", method: "GET", status: "4xx" };
		expect(sampleValue(families, "dofus_manager_http_request_duration_seconds_count", labels)).toBe(2);
		const sum = sampleValue(families, "dofus_manager_http_request_duration_seconds_sum", labels) ?? 0;
		expect(sum).toBeGreaterThan(0);
		expect(sum).toBeLessThan(10);
		const routes = families.get("dofus_manager_http_request_duration_seconds")?.samples.map((s) => s.labels.route);
		expect(routes).not.toContain("/api/teams/424242");
	});

	it("counts requests no route matched under one label", async () => {
		await anonymous(app).get("/no-such-path/1");
		await anonymous(app).get("/no-such-path/2");
		const families = await scrape();
		expect(
			sampleValue(families, "dofus_manager_http_request_duration_seconds_count", {
				route: "(unmatched)",
				method: "GET",
				status: "4xx",
			}),
		).toBe(2);
	});

	it("shows the tenant cache's hits and misses and its hit ratio", async () => {
		const owner = await signUp(app);
		await createGuildWithSlug(app, owner, "iop");
		for (let index = 0; index < 3; index++) await onHost(app, "iop.localhost").get("/api/guild");
		const families = await scrape();
		const lookups = (result: string) =>
			sampleValue(families, "dofus_manager_tenant_cache_lookups_total", { result }) ?? Number.NaN;
		expect(lookups("miss")).toBe(1);
		expect(lookups("hit")).toBe(2);
		expect(sampleValue(families, "dofus_manager_tenant_cache_hit_ratio")).toBeCloseTo(2 / 3);
		expect(sampleValue(families, "dofus_manager_tenant_lookup_seconds_total")).toBeGreaterThan(0);
	});

	it("shows the user cache's hits by view", async () => {
		const user = await signUp(app);
		const { account } = await createRosterAs(app, user, 1);
		await createCharacterAs(app, user, account.id);
		await as(app, user).get("/api/characters");
		await as(app, user).get("/api/characters");
		const families = await scrape();
		expect(sampleValue(families, "dofus_manager_user_cache_reads_total", { view: "characters", result: "hit" })).toBe(
			1,
		);
		expect(sampleValue(families, "dofus_manager_user_cache_entries", { view: "characters" })).toBe(1);
	});

	it("shows the database engine and a probe of it, and the job queue's depth", async () => {
		const families = await scrape();
		expect(sampleValue(families, "dofus_manager_database_up")).toBe(1);
		expect(sampleValue(families, "dofus_manager_database_probe_seconds")).toBeGreaterThan(0);
		expect(families.get("dofus_manager_database_info")?.samples).toHaveLength(1);
		expect(families.get("dofus_manager_jobs")?.type).toBe("gauge");
	});
});

describe("the strict Prometheus text parser of these tests", () => {
	const valid = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 2\n';

	it("reads a valid exposition", () => {
		expect(sampleValue(parsePrometheusText(valid), "a_total", { x: "1" })).toBe(2);
	});

	it("rejects malformed lines", () => {
		for (const text of [
			'a_total{x="1"} 2\n',
			"# TYPE a_total counter\na_total{x=1} 2\n",
			'# TYPE a_total counter\na_total{x="1"}  2\n',
			'# TYPE a_total counter\na_total{x="1"} two\n',
			'# TYPE a_total counter\na_total{x="1"} 2\na_total{x="1"} 3\n',
			"# TYPE a_total counter\na_total 2",
			'# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n',
			"# TYPE h histogram\nh_count 1\nh_sum 1\n",
		])
			expect(() => parsePrometheusText(text), text).toThrow();
	});
});
