import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	answer,
	createApp,
	createChecker,
	createProcess,
	declaredResponses,
	type Environment,
	generateOpenApi,
	IHaveSentThis,
	type RouteDefinition,
	refusal,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

const userSchema = z.object({ id: z.number(), name: z.string() });

const userExist = createChecker("userExist").handler((id: number, output) =>
	id === 1
		? output("user.exist", { id: 1, name: "Eni", passwordHash: "scrypt$secret" })
		: output("user.notfound", null),
);

function contractApp(environment: Environment) {
	const app = createApp({ environment });
	app
		.declareRoute("GET", "/users/{id}")
		.extract({
			params: { id: z.coerce.number() },
			query: { mode: z.enum(["ok", "undeclared", "badBody"]).default("ok") },
		})
		.check(
			userExist,
			{
				input: (pickup) => pickup("id"),
				result: "user.exist",
				catch: (response, info) => response.code(404).info(info).send({ error: info }),
				indexing: "user",
			},
			new IHaveSentThis(404, "user.notfound"),
		)
		.handler(
			({ pickup }, response) => {
				if (pickup("mode") === "undeclared") return unchecked(response).code(202).info("user.accepted").send();
				if (pickup("mode") === "badBody") return response.code(200).info("user.found").send({ id: "one" });
				return response.code(200).info("user.found").send(pickup("user"));
			},
			new IHaveSentThis(200, "user.found", userSchema),
		);
	app
		.declareRoute("GET", "/undocumented")
		.handler((_floor, response) => unchecked(response).code(200).info("whatever").send());
	return app;
}

describe("response contracts", () => {
	it("let declared responses through", async () => {
		const app = contractApp("TEST");
		expect((await app.inject({ url: "/users/1" })).statusCode).toBe(200);
		expect((await app.inject({ url: "/users/2" })).statusCode).toBe(404);
	});

	it("let the framework's own answers through without declaring them in the route", async () => {
		const app = contractApp("TEST");
		const response = await app.inject({ url: "/users/x" });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.params.id");
	});

	for (const environment of ["DEV", "TEST"] as const) {
		it(`turn an undeclared response into a 500 WHAT_WAS_SENT_ERROR that explains it in ${environment}`, async () => {
			const response = await contractApp(environment).inject({ url: "/users/1?mode=undeclared" });
			expect(response.statusCode).toBe(500);
			expect(response.info).toBe("WHAT_WAS_SENT_ERROR");
			const body = response.json();
			expect(body.message).toContain('sent 202 with info "user.accepted"');
			expect(body.message).toContain("the handler");
			expect(body.message).toContain("200 user.found");
		});
	}

	it("check the body against the declared schema", async () => {
		const response = await contractApp("TEST").inject({ url: "/users/1?mode=badBody" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("WHAT_WAS_SENT_ERROR");
		expect(response.json().issues[0].path).toEqual(["id"]);
	});

	it("are not checked in PROD", async () => {
		const response = await contractApp("PROD").inject({ url: "/users/1?mode=undeclared" });
		expect(response.statusCode).toBe(202);
	});

	for (const environment of ["TEST", "PROD"] as const) {
		it(`serialise bodies from their schema, so undeclared fields never leave, in ${environment}`, async () => {
			const response = await contractApp(environment).inject({ url: "/users/1" });
			expect(response.json()).toEqual({ id: 1, name: "Eni" });
			expect(response.body).not.toContain("secret");
		});
	}

	it("refuse in PROD a body that does not match its schema rather than send it", async () => {
		const response = await contractApp("PROD").inject({ url: "/users/1?mode=badBody" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("INTERNAL_SERVER_ERROR");
	});

	it("are not checked on a route that declares none", async () => {
		expect((await contractApp("TEST").inject({ url: "/undocumented" })).statusCode).toBe(200);
	});
});

describe("a contract scoped with forMethods()", () => {
	const refusesWrites = createProcess("refusesWrites")
		.cut((_floor, response, request) => {
			if (request.method !== "GET") unchecked(response).code(403).info("write.refused").send();
		})
		.build([], new IHaveSentThis(403, "write.refused").forMethods("POST"));

	function scopedApp() {
		const app = createApp({ environment: "TEST" });
		for (const method of ["GET", "POST"] as const) {
			app
				.declareRoute(method, "/things")
				.process(refusesWrites)
				.handler(
					(_floor, response) => response.code(200).info("things.ok").send(),
					new IHaveSentThis(200, "things.ok"),
				);
		}
		return app;
	}

	it("is declared, documented and checked only on routes of those methods", async () => {
		const app = scopedApp();
		const [get, post] = app.routes;
		const infos = (route: typeof get) => declaredResponses(route as NonNullable<typeof get>).map((one) => one.info);
		expect(infos(get)).not.toContain("write.refused");
		expect(infos(post)).toContain("write.refused");
		const document = generateOpenApi(app.routes, { info: { title: "t", version: "1" } });
		expect(Object.keys(document.paths["/things"]?.get?.responses ?? {})).not.toContain("403");
		expect(Object.keys(document.paths["/things"]?.post?.responses ?? {})).toContain("403");
		// The POST route may send it; the runtime check holds it to its declaration.
		expect((await app.inject({ method: "POST", url: "/things" })).statusCode).toBe(403);
		expect((await app.inject({ method: "GET", url: "/things" })).statusCode).toBe(200);
	});

	it("makes a GET route that sends it an undeclared answer", async () => {
		const app = createApp({ environment: "TEST" });
		const alwaysRefuses = createProcess("alwaysRefuses")
			.cut((_floor, response) => {
				unchecked(response).code(403).info("write.refused").send();
			})
			.build([], new IHaveSentThis(403, "write.refused").forMethods("POST", "PATCH"));
		app
			.declareRoute("GET", "/refused")
			.process(alwaysRefuses)
			.handler((_floor, response) => response.code(200).info("ok").send(), new IHaveSentThis(200, "ok"));
		const response = await app.inject({ url: "/refused" });
		expect([response.statusCode, response.info]).toEqual([500, "WHAT_WAS_SENT_ERROR"]);
	});

	it("needs at least one method", () => {
		expect(() => new IHaveSentThis(403, "x").forMethods()).toThrow("403 x: forMethods() needs at least one method.");
	});
});

describe("a contract scoped with forOptions()", () => {
	const rightMissing = refusal(403, "right.missing", "That right is not yours.");
	const okay = answer(200, "things.ok");
	// A process that refuses only where a right is asked: its refusal is declared only on those uses.
	const needsRight = createProcess("needsRight")
		.options({ right: null as string | null })
		.cut(
			({ pickup }, response) => {
				const { right } = pickup("options");
				if (right !== null && right !== "granted") rightMissing.send(response);
			},
			[],
			rightMissing.forOptions((options: { right: string | null }) => options.right !== null),
		)
		.build();
	const asksForRight = createProcess("asksForRight")
		.process(needsRight, { options: { right: "x" } })
		.build();

	function scopedApp() {
		const app = createApp({ environment: "TEST" });
		const route = (path: string) => app.declareRoute("GET", path);
		route("/open")
			.process(needsRight)
			.handler((_floor, response) => okay.send(response), okay);
		route("/guarded")
			.process(needsRight, { options: { right: "x" } })
			.handler((_floor, response) => okay.send(response), okay);
		route("/dynamic")
			.extract({ query: { right: z.string().optional() } })
			.process(needsRight, { options: (pickup) => ({ right: pickup("right") ?? null }) })
			.handler((_floor, response) => okay.send(response), okay);
		route("/nested")
			.process(asksForRight)
			.handler((_floor, response) => okay.send(response), okay);
		return app;
	}
	const infosOf = (app: ReturnType<typeof scopedApp>, path: string) =>
		declaredResponses(app.routes.find((route) => route.paths.includes(path)) as RouteDefinition).map((one) => one.info);

	it("is declared and documented only on uses whose options it accepts", () => {
		const app = scopedApp();
		expect(infosOf(app, "/open")).not.toContain("right.missing");
		expect(infosOf(app, "/guarded")).toContain("right.missing");
		// Options computed from the request may be anything: declared.
		expect(infosOf(app, "/dynamic")).toContain("right.missing");
		// Inside another process, the inner use's options decide, not the outer's.
		expect(infosOf(app, "/nested")).toContain("right.missing");
		const document = generateOpenApi(app.routes, { info: { title: "t", version: "1" } });
		expect(Object.keys(document.paths["/open"]?.get?.responses ?? {})).not.toContain("403");
		expect(Object.keys(document.paths["/guarded"]?.get?.responses ?? {})).toContain("403");
	});

	it("is checked at run time against the use's options", async () => {
		const app = scopedApp();
		expect(await app.inject({ url: "/guarded" })).toAnswer(403, "right.missing");
		expect(await app.inject({ url: "/nested" })).toAnswer(403, "right.missing");
		expect(await app.inject({ url: "/dynamic?right=y" })).toAnswer(403, "right.missing");
		expect(await app.inject({ url: "/dynamic?right=granted" })).toAnswer(200, "things.ok");
		expect(await app.inject({ url: "/open" })).toAnswer(200, "things.ok");
	});

	it("makes a use whose options it does not accept send an undeclared answer", async () => {
		const app = createApp({ environment: "TEST" });
		const alwaysRefuses = createProcess("alwaysRefuses")
			.options({ right: null as string | null })
			.cut(
				(_floor, response) => rightMissing.send(response),
				[],
				rightMissing.forOptions((options: { right: string | null }) => options.right !== null),
			)
			.build();
		app
			.declareRoute("GET", "/refused")
			.process(alwaysRefuses)
			.handler((_floor, response) => okay.send(response), okay);
		expect(await app.inject({ url: "/refused" })).toAnswer(500, "WHAT_WAS_SENT_ERROR");
	});

	it("keeps the answer's class, and needs a function", () => {
		const scoped = rightMissing.forOptions(() => true);
		expect(scoped.send).toBe(rightMissing.send);
		expect([scoped.code, scoped.infos, scoped.message]).toEqual([403, ["right.missing"], "That right is not yours."]);
		expect(() => rightMissing.forOptions(undefined as never)).toThrow(
			"403 right.missing: forOptions() needs a function.",
		);
	});
});
