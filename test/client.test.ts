// Specification of the typed client: it is generated from the current routes, type-checks, and talks to a real server.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createDofusClient } from "../src/client/index.js";
import type { App } from "../src/core/index.js";
import { getTestDatabase, resetTestDatabase } from "./helpers/database.js";
import { buildIdentityApp, defaultPassword } from "./helpers/identity.js";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;

let app: App;
let baseUrl: string;

beforeAll(async () => {
	const db = await getTestDatabase();
	await resetTestDatabase(db);
	({ app } = buildIdentityApp(db));
	const { port } = await app.listen({ port: 0 });
	baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(() => app?.close());

describe("the typed client (src/client)", () => {
	it("is generated from the current routes: src/client/schema.d.ts is what `npm run client` would write", async () => {
		const folder = await mkdtemp(join(tmpdir(), "dofus-client-"));
		try {
			const document = await app.inject({ method: "GET", url: "/openapi.json" });
			await writeFile(join(folder, "openapi.json"), document.body);
			await run(
				join(root, "node_modules/.bin/openapi-typescript"),
				[join(folder, "openapi.json"), "-o", join(folder, "schema.d.ts")],
				{ cwd: root },
			);
			const fresh = await readFile(join(folder, "schema.d.ts"), "utf8");
			const committed = await readFile(join(root, "src/client/schema.d.ts"), "utf8");
			expect(committed === fresh, "src/client/schema.d.ts is stale: run `npm run client` and commit it").toBe(true);
		} finally {
			await rm(folder, { recursive: true, force: true });
		}
	});

	// This test is also a program the type checker reads (`tsc --noEmit` covers test/): paths, bodies and answers are typed.
	it("registers, logs in and reads the account over HTTP with typed requests and answers", async () => {
		const client = createDofusClient(baseUrl);

		const health = await client.GET("/health");
		expect(health.response.status).toBe(200);
		expect(health.response.headers.get("info")).toBe("health.ok");
		expectTypeOf(health.data).toEqualTypeOf<
			{ status: "ok" | "degraded"; database: "ok" | "unreachable" } | undefined
		>();
		expect(health.data).toEqual({ status: "ok", database: "ok" });

		const email = "client@example.test";
		const registered = await client.POST("/api/auth/register", {
			body: { email, password: defaultPassword, displayName: "Client" },
		});
		expect(registered.response.status, JSON.stringify(registered.error)).toBe(201);
		expect(registered.data?.user.email).toBe(email);

		const login = await client.POST("/api/auth/login", { body: { email, password: defaultPassword } });
		expect(login.response.status, JSON.stringify(login.error)).toBe(200);
		const session = login.data;
		if (session === undefined || !("accessToken" in session))
			throw new Error(`no session in the login answer: ${JSON.stringify(login.error)}`);
		expectTypeOf(session.accessToken).toEqualTypeOf<string>();

		client.setAccessToken(session.accessToken);
		const me = await client.GET("/api/me");
		expect(me.response.headers.get("info")).toBe("user.found");
		expect(me.data?.user).toMatchObject({ email, displayName: "Client" });
	});

	it("returns declared refusals as typed errors", async () => {
		const client = createDofusClient(baseUrl);
		const me = await client.GET("/api/me");
		expect(me.response.status).toBe(401);
		expect(me.response.headers.get("info")).toBe("session.missing");
		expect(me.data).toBeUndefined();
	});
});
