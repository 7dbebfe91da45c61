// Game account routes: list with character counts, create (name unique per user), read, change, delete (not_empty unless cascade).
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { as } from "../helpers/calls.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { freshAppPerTest, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

describe("POST /api/accounts", () => {
	it("creates an account for the caller", async () => {
		const user = await signUp(app);
		const response = await as(app, user).post("/api/accounts", { name: " Main ", label: "mules" });
		expect(response).toAnswer(201, "account.created");
		expect(response.json().account).toEqual({
			id: expect.any(Number),
			name: "Main",
			label: "mules",
			createdAt: expect.any(String),
			updatedAt: expect.any(String),
		});
	});

	it("answers 409 account.name_taken for a name the caller already uses, whatever its case", async () => {
		const user = await signUp(app);
		await createAccountAs(app, user, { name: "Main" });
		const response = await as(app, user).post("/api/accounts", { name: "MAIN" });
		expect([response.statusCode, response.info, response.json().error]).toEqual([
			409,
			"account.name_taken",
			"account.name_taken",
		]);
	});

	it("lets two users use the same name", async () => {
		await createAccountAs(app, await signUp(app), { name: "Main" });
		await createAccountAs(app, await signUp(app), { name: "Main" });
	});

	it("answers 400 for a missing or too long name", async () => {
		const user = await signUp(app);
		expect((await as(app, user).post("/api/accounts", {})).info).toBe("TYPE_ERROR.body.name");
		expect((await as(app, user).post("/api/accounts", { name: "x".repeat(51) })).info).toBe("TYPE_ERROR.body.name");
	});
});

describe("GET /api/accounts", () => {
	it("lists the caller's accounts only, by name, with their character counts", async () => {
		const user = await signUp(app);
		const other = await signUp(app);
		const zeta = await createAccountAs(app, user, { name: "zeta" });
		await createAccountAs(app, user, { name: "Alpha" });
		await createAccountAs(app, other, { name: "Other" });
		await createCharacterAs(app, user, zeta.id);
		const response = await as(app, user).get("/api/accounts");
		expect(response).toAnswer(200, "account.list");
		expect(
			response
				.json()
				.accounts.map((account: { name: string; characterCount: number }) => [account.name, account.characterCount]),
		).toEqual([
			["Alpha", 0],
			["zeta", 1],
		]);
	});
});

describe("GET /api/accounts/{accountId}", () => {
	it("answers the caller's account", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user, { name: "Main" });
		const response = await as(app, user).get(`/api/accounts/${account.id}`);
		expect([response.statusCode, response.info, response.json().account.name]).toEqual([200, "account.found", "Main"]);
	});

	it("answers 404 account.notfound for another user's account, exactly as for a missing one", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const account = await createAccountAs(app, owner);
		const hidden = await as(app, stranger).get(`/api/accounts/${account.id}`);
		const missing = await as(app, stranger).get("/api/accounts/99999");
		expect(hidden).toAnswer(404, "account.notfound");
		expect([missing.statusCode, missing.body]).toEqual([404, hidden.body]);
	});

	it("answers 400 for an id that is not a positive integer", async () => {
		const user = await signUp(app);
		expect((await as(app, user).get("/api/accounts/abc")).info).toBe("TYPE_ERROR.params.accountId");
	});
});

describe("PATCH /api/accounts/{accountId}", () => {
	it("renames and relabels the account; a null label clears it", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user, { name: "Main", label: "old" });
		const renamed = await as(app, user).patch(`/api/accounts/${account.id}`, { name: "Second" });
		expect([renamed.statusCode, renamed.info, renamed.json().account]).toEqual([
			200,
			"account.updated",
			expect.objectContaining({ name: "Second", label: "old" }),
		]);
		const cleared = await as(app, user).patch(`/api/accounts/${account.id}`, { label: null });
		expect(cleared.json().account.label).toBeNull();
	});

	it("answers 409 account.name_taken when renaming onto another of the caller's accounts", async () => {
		const user = await signUp(app);
		await createAccountAs(app, user, { name: "Main" });
		const second = await createAccountAs(app, user, { name: "Second" });
		const response = await as(app, user).patch(`/api/accounts/${second.id}`, { name: "main" });
		expect(response).toAnswer(409, "account.name_taken");
	});

	it("answers 404 to another user and leaves the account unchanged", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const account = await createAccountAs(app, owner, { name: "Main" });
		const response = await as(app, stranger).patch(`/api/accounts/${account.id}`, { name: "Stolen" });
		expect(response).toAnswer(404, "account.notfound");
		expect((await as(app, owner).get(`/api/accounts/${account.id}`)).json().account.name).toBe("Main");
	});
});

describe("DELETE /api/accounts/{accountId}", () => {
	it("deletes an empty account", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		const response = await as(app, user).delete(`/api/accounts/${account.id}`);
		expect(response).toAnswer(204, "account.deleted");
		expect((await as(app, user).get(`/api/accounts/${account.id}`)).statusCode).toBe(404);
	});

	it("answers 409 account.not_empty while the account holds characters, and keeps them", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		const character = await createCharacterAs(app, user, account.id);
		const response = await as(app, user).delete(`/api/accounts/${account.id}`);
		expect(response).toAnswer(409, "account.not_empty");
		expect((await as(app, user).get(`/api/characters/${character.id}`)).statusCode).toBe(200);
	});

	it("deletes the account and its characters with ?cascade=true", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		const character = await createCharacterAs(app, user, account.id);
		const response = await as(app, user).delete(`/api/accounts/${account.id}?cascade=true`);
		expect(response).toAnswer(204, "account.deleted");
		expect((await as(app, user).get(`/api/characters/${character.id}`)).statusCode).toBe(404);
	});

	it("answers 400 for a cascade that is not a boolean", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		expect((await as(app, user).delete(`/api/accounts/${account.id}?cascade=maybe`)).info).toBe(
			"TYPE_ERROR.query.cascade",
		);
	});

	it("answers 404 to another user, even with cascade, and deletes nothing", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const account = await createAccountAs(app, owner);
		const response = await as(app, stranger).delete(`/api/accounts/${account.id}?cascade=true`);
		expect(response).toAnswer(404, "account.notfound");
		expect((await as(app, owner).get(`/api/accounts/${account.id}`)).statusCode).toBe(200);
	});
});
