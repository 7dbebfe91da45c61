import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, createChecker, createPresetChecker, IHaveSentThis } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

const users = new Map([
	[1, { id: 1, name: "Goultard", email: "g@example.com" }],
	[2, { id: 2, name: "Bill", email: "b@example.com" }],
]);

const userExist = createChecker("userExist")
	.options({ by: "id" as "id" | "email", withEmail: false })
	.handler((input: number | string, output, options) => {
		const user =
			options.by === "id" ? users.get(Number(input)) : [...users.values()].find((one) => one.email === input);
		if (user === undefined) return output("user.notfound", null);
		return output("user.exist", options.withEmail ? user : { id: user.id, name: user.name });
	});

const slowUserExist = createChecker("slowUserExist").handler(async (input: number, output) => {
	await new Promise((resolve) => setTimeout(resolve, 1));
	return users.has(input) ? output("user.exist", users.get(input)) : output("user.notfound", null);
});

function appWith(declare: (app: ReturnType<typeof createApp>) => void) {
	const app = createApp({ environment: "TEST" });
	declare(app);
	return app;
}

describe("check", () => {
	const app = appWith((app) => {
		app
			.declareRoute("GET", "/users/{id}")
			.extract({ params: { id: z.coerce.number() }, query: { email: z.enum(["yes", "no"]).default("no") } })
			.check(userExist, {
				input: (pickup) => pickup("id"),
				result: "user.exist",
				catch: (response, info, data) => unchecked(response).code(404).info(info).send({ data }),
				indexing: "user",
				options: (pickup) => ({ withEmail: pickup("email") === "yes" }),
			})
			.handler(({ pickup }, response) => unchecked(response).code(200).info("user.found").send(pickup("user")));
		app
			.declareRoute("GET", "/by-email/{email}")
			.extract({ params: { email: z.string() } })
			.check(userExist, {
				input: (pickup) => pickup("email"),
				result: "user.exist",
				catch: (response, info) => unchecked(response).code(404).info(info).send(),
				indexing: "user",
				options: { by: "email" },
			})
			.handler(({ pickup }, response) => unchecked(response).code(200).send(pickup("user")));
		app
			.declareRoute("GET", "/slow/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.check(slowUserExist, {
				input: (pickup) => pickup("id"),
				result: "user.exist",
				catch: (response, info) => unchecked(response).code(404).info(info).send(),
				indexing: "user",
			})
			.handler(({ pickup }, response) => unchecked(response).code(200).send(pickup("user")));
	});

	it("drops the checker's data under `indexing` when the result is the expected one", async () => {
		const response = await app.inject({ url: "/users/1" });
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ id: 1, name: "Goultard" });
	});

	it("calls `catch` with the info and data of any other result", async () => {
		const response = await app.inject({ url: "/users/9" });
		expect(response.statusCode).toBe(404);
		expect(response.info).toBe("user.notfound");
		expect(response.json()).toEqual({ data: null });
	});

	it("merges dynamic step options over the checker's defaults", async () => {
		const response = await app.inject({ url: "/users/2?email=yes" });
		expect(response.json()).toEqual({ id: 2, name: "Bill", email: "b@example.com" });
	});

	it("merges static step options over the checker's defaults", async () => {
		expect((await app.inject({ url: "/by-email/b@example.com" })).json()).toEqual({ id: 2, name: "Bill" });
		expect((await app.inject({ url: "/by-email/nobody@example.com" })).statusCode).toBe(404);
	});

	it("awaits asynchronous checkers", async () => {
		expect((await app.inject({ url: "/slow/1" })).json()).toMatchObject({ id: 1 });
		expect((await app.inject({ url: "/slow/3" })).info).toBe("user.notfound");
	});

	it("accepts a list of expected infos", async () => {
		const local = appWith((app) =>
			app
				.declareRoute("GET", "/any/{id}")
				.extract({ params: { id: z.coerce.number() } })
				.check(userExist, {
					input: (pickup) => pickup("id"),
					result: ["user.exist", "user.notfound"],
					catch: (response) => unchecked(response).code(500).send(),
					indexing: "user",
				})
				.handler(({ pickup }, response) =>
					unchecked(response)
						.code(200)
						.send({ user: pickup("user") }),
				),
		);
		expect((await local.inject({ url: "/any/5" })).json()).toEqual({ user: null });
		expect((await local.inject({ url: "/any/1" })).json()).toEqual({ user: { id: 1, name: "Goultard" } });
	});

	it("skips the step when `skip` answers true, leaving its key undefined", async () => {
		let calls = 0;
		const counted = createChecker("counted").handler((input: number, output) => {
			calls++;
			return output("ok", input);
		});
		const local = appWith((app) =>
			app
				.declareRoute("GET", "/skip/{n}")
				.extract({ params: { n: z.coerce.number() } })
				.check(counted, { input: (pickup) => pickup("n"), indexing: "value", skip: (pickup) => pickup("n") === 0 })
				.handler(({ pickup }, response) =>
					unchecked(response)
						.code(200)
						.send({ value: pickup("value") ?? "skipped" }),
				),
		);
		expect((await local.inject({ url: "/skip/0" })).json()).toEqual({ value: "skipped" });
		expect(calls).toBe(0);
		expect((await local.inject({ url: "/skip/4" })).json()).toEqual({ value: 4 });
		expect(calls).toBe(1);
	});

	it("runs an optional step only when its input is not undefined, leaving its key undefined otherwise", async () => {
		const inputs: number[] = [];
		const counted = createChecker("counted").handler((input: number, output) => {
			inputs.push(input);
			return output("ok", input * 10);
		});
		const local = appWith((app) =>
			app
				.declareRoute("GET", "/optional")
				.extract({ query: { n: z.coerce.number().optional() } })
				.check(counted, { input: (pickup) => pickup("n"), optional: true, indexing: "value" })
				.handler(({ pickup }, response) =>
					unchecked(response)
						.code(200)
						.send({ value: pickup("value") ?? "absent" }),
				),
		);
		expect((await local.inject({ url: "/optional" })).json()).toEqual({ value: "absent" });
		expect(inputs).toEqual([]);
		// 0 is an input like any other: only undefined leaves the step out.
		expect((await local.inject({ url: "/optional?n=0" })).json()).toEqual({ value: 0 });
		expect((await local.inject({ url: "/optional?n=4" })).json()).toEqual({ value: 40 });
		expect(inputs).toEqual([0, 4]);
	});

	it("refuses optional together with skip, and an optional that is not a boolean", () => {
		const counted = createChecker("counted").handler((input: number, output) => output("ok", input));
		const app = createApp({ environment: "TEST" });
		const route = () => app.declareRoute("GET", "/x").extract({ query: { n: z.coerce.number().optional() } });
		expect(() =>
			route().check(counted, {
				input: (pickup) => pickup("n"),
				optional: true,
				// @ts-expect-error one rule decides whether a step runs
				skip: () => false,
			}),
		).toThrow("GET /x: check(counted): give either skip or optional, not both.");
		// @ts-expect-error optional is a boolean
		expect(() => route().check(counted, { input: (pickup) => pickup("n"), optional: "yes" })).toThrow(
			"GET /x: check(counted): optional must be true or false.",
		);
	});

	it("answers 500 NO_RESPONSE_SENT when a catch does not send", async () => {
		const local = appWith((app) =>
			app
				.declareRoute("GET", "/bad-catch")
				.check(userExist, { input: () => 99, result: "user.exist", catch: () => undefined })
				.handler((_floor, response) => unchecked(response).code(200).send()),
		);
		const response = await local.inject({ url: "/bad-catch" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("NO_RESPONSE_SENT");
	});

	it("refuses a result without catch when the route is declared", () => {
		const app = createApp({ environment: "TEST" });
		expect(() =>
			app.declareRoute("GET", "/x").check(userExist, { input: () => 1, result: "user.exist" } as never),
		).toThrow(/needs a catch/);
	});
});

describe("presetCheck", () => {
	const userFound = createPresetChecker(
		userExist,
		{
			result: "user.exist",
			catch: (response, info) => response.code(404).info(info).send({ error: info }),
			indexing: "user",
			options: { withEmail: true },
		},
		new IHaveSentThis(404, "user.notfound"),
	);
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("GET", "/users/{id}")
		.extract({ params: { id: z.coerce.number() } })
		.presetCheck(userFound, (pickup) => pickup("id"))
		.handler(
			({ pickup }, response) => response.code(200).info("user.found").send(pickup("user")),
			new IHaveSentThis(200, "user.found"),
		);

	it("drops the data of the expected result under the preset's key, with the preset's options", async () => {
		const response = await app.inject({ url: "/users/2" });
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ id: 2, name: "Bill", email: "b@example.com" });
	});

	it("answers other results with the preset's catch, within the preset's contracts", async () => {
		const response = await app.inject({ url: "/users/3" });
		expect(response.statusCode).toBe(404);
		expect(response.info).toBe("user.notfound");
	});

	it("runs with { optional: true } only when its input is there, and refuses with the preset's catch", async () => {
		const local = createApp({ environment: "TEST" });
		local
			.declareRoute("GET", "/maybe")
			.extract({ query: { id: z.coerce.number().optional() } })
			.presetCheck(userFound, (pickup) => pickup("id"), { optional: true })
			.handler(
				({ pickup }, response) =>
					response
						.code(200)
						.info("maybe")
						.respond({ user: pickup("user") ?? null }),
				new IHaveSentThis(200, "maybe"),
			);
		expect((await local.inject({ url: "/maybe" })).json()).toEqual({ user: null });
		expect((await local.inject({ url: "/maybe?id=1" })).json()).toMatchObject({ user: { id: 1, name: "Goultard" } });
		expect((await local.inject({ url: "/maybe?id=9" })).statusCode).toBe(404);
	});

	it("is skipped when its `skip` answers true", async () => {
		const local = createApp({ environment: "TEST" });
		local
			.declareRoute("GET", "/maybe/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.presetCheck(userFound, (pickup) => pickup("id"), { skip: (pickup) => pickup("id") === 0 })
			.handler(
				({ pickup }, response) =>
					response
						.code(200)
						.info("maybe")
						.respond({ user: pickup("user") ?? null }),
				new IHaveSentThis(200, "maybe"),
			);
		expect((await local.inject({ url: "/maybe/0" })).json()).toEqual({ user: null });
		expect((await local.inject({ url: "/maybe/9" })).statusCode).toBe(404);
	});

	it("refuses something that is not a preset", () => {
		expect(() =>
			createApp({ environment: "TEST" })
				.declareRoute("GET", "/x")
				.presetCheck(userExist as never, () => 1 as never),
		).toThrow(/preset checker/);
	});
});
