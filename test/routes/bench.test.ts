// Specification of the benchmark-only routes: registered only with BENCH, they answer what the harness checks.
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import type { App } from "../../src/core/index.js";
import { createLogger } from "../../src/logger.js";
import { getTestDatabase, testJobQueueOf } from "../helpers/database.js";

async function benchApp(bench: boolean): Promise<App> {
	const db = await getTestDatabase();
	return buildApp({
		config: { APP_ENV: "TEST", BODY_LIMIT: 1_048_576, SHUTDOWN_TIMEOUT_MS: 1000, BENCH: bench },
		logger: createLogger({ APP_ENV: "TEST" }),
		db,
		jobs: testJobQueueOf(db),
	});
}

let app: App;
beforeAll(async () => {
	app = await benchApp(true);
});

describe("GET /hello", () => {
	it("answers 200 with hello world", async () => {
		const response = await app.inject({ method: "GET", url: "/hello" });
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ hello: "world" });
	});

	it("is not declared without BENCH", async () => {
		const plain = await benchApp(false);
		const response = await plain.inject({ method: "GET", url: "/hello" });
		expect(response.statusCode).toBe(404);
	});
});

describe("POST /users/{id}", () => {
	it("echoes the coerced id and the validated body", async () => {
		const response = await app.inject({ method: "POST", url: "/users/42", body: { name: "Ecaflip", age: 12 } });
		expect(response.statusCode).toBe(200);
		expect(response.info).toBe("user.echoed");
		expect(response.json()).toEqual({ id: 42, name: "Ecaflip", age: 12 });
	});

	it("answers 400 TYPE_ERROR when the name is too short", async () => {
		const response = await app.inject({ method: "POST", url: "/users/42", body: { name: "E", age: 12 } });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.body.name");
		expect(response.json()).toMatchObject({ error: "TYPE_ERROR" });
	});

	it("answers 400 TYPE_ERROR when the age is not an integer", async () => {
		const response = await app.inject({ method: "POST", url: "/users/42", body: { name: "Ecaflip", age: 1.5 } });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.body.age");
	});

	it("answers 400 TYPE_ERROR when the id is not a number", async () => {
		const response = await app.inject({ method: "POST", url: "/users/abc", body: { name: "Ecaflip", age: 12 } });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.params.id");
	});

	it("answers 400 user.invalid when the id is not positive", async () => {
		const response = await app.inject({ method: "POST", url: "/users/0", body: { name: "Ecaflip", age: 12 } });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("user.invalid");
		expect(response.json()).toMatchObject({ error: "user.invalid" });
	});
});
