// SQL parameters never reach a log line or a DEV 500 body: redactQueryParameters on real query errors, and through the app.
import { sql } from "drizzle-orm";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { redactQueryParameters } from "../../src/db/index.js";
import { getTestDatabase } from "../helpers/database.js";
import { buildIdentityApp } from "../helpers/identity.js";
import { captureLogs } from "../helpers/log-capture.js";

const secret = "hunter2-s3cret-token";

/** A real query error from the suite's engine whose parameters hold the secret; division by zero maps to no 4xx. */
async function failedQueryError(): Promise<Error> {
	const db = await getTestDatabase();
	try {
		await db.execute(sql`select ${secret}::text as token, 1 / ${0}::int as boom`);
	} catch (error) {
		return error as Error;
	}
	throw new Error("expected the query to fail");
}

describe("redactQueryParameters", () => {
	it("starts from an error that does carry the parameters (otherwise this proves nothing)", async () => {
		const error = await failedQueryError();
		expect(`${error.message}\n${JSON.stringify(pino.stdSerializers.err(error))}`).toContain(secret);
	});

	it("removes them from the message, the stack and the fields, keeping the SQL", async () => {
		const error = await failedQueryError();
		redactQueryParameters(error);
		expect(error.message).toMatch(/^Failed query: select \$1::text as token, 1 \/ \$2::int as boom$/);
		expect(error.stack).toContain("Failed query: select");
		expect(`${error.message}\n${error.stack}\n${JSON.stringify(pino.stdSerializers.err(error))}`).not.toContain(secret);
	});

	it("is safe on anything and idempotent", async () => {
		for (const value of [undefined, null, "text", 7, new Error("plain"), Object.freeze({ params: [secret] })])
			expect(() => redactQueryParameters(value)).not.toThrow();
		const error = await failedQueryError();
		redactQueryParameters(error);
		const once = error.message;
		redactQueryParameters(error);
		expect(error.message).toBe(once);
	});
});

describe("a query error in a route", () => {
	it("answers a DEV 500 with the stack but without the parameters, and logs none", async () => {
		const logs = captureLogs("info");
		const db = await getTestDatabase();
		const { app } = buildIdentityApp(db, { logger: logs.logger, config: { APP_ENV: "DEV" } });
		app.declareRoute("GET", "/test/failing-query").handler(async () => {
			await db.execute(sql`select ${secret}::text as token, 1 / ${0}::int as boom`);
		});
		const response = await app.inject({ url: "/test/failing-query" });
		expect([response.statusCode, response.info]).toEqual([500, "INTERNAL_SERVER_ERROR"]);
		expect(response.json().stack).toContain("Failed query: select");
		expect(response.body).not.toContain(secret);
		expect(logs.text()).toContain("Failed query");
		expect(logs.text()).not.toContain(secret);
	});
});
