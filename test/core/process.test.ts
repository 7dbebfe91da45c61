import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, createChecker, createProcess, IHaveSentThis } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

const tokens: Record<string, { id: number; name: string }> = { "token-1": { id: 1, name: "Ush" } };

const authenticated = createProcess("authenticated")
	.hook("beforeSend", (_request, response) => {
		response.header("x-auth-process", "yes");
	})
	.extract({ headers: { authorization: z.string().startsWith("Bearer ").optional() } }, (response) =>
		response.code(401).info("session.invalid").send(),
	)
	.cut(
		({ pickup }, response) => {
			const header = pickup("authorization");
			if (header === undefined) return unchecked(response).code(401).info("session.missing").send();
			const user = tokens[header.slice("Bearer ".length)];
			if (user === undefined) return unchecked(response).code(401).info("session.invalid").send();
			return { user, session: { token: header } };
		},
		["user", "session"],
	)
	.build(["user", "session"], new IHaveSentThis(401, ["session.missing", "session.invalid"]));

const hasRight = createProcess("hasRight")
	.options({ right: "read" as string })
	.input<number>()
	.cut(
		({ pickup }, response) => {
			const { right } = pickup("options");
			if (pickup("input") !== 7) unchecked(response).code(404).info("guild.notfound").send();
			if (right !== "read") unchecked(response).code(403).info("right.missing").send();
			return { membership: { guildId: pickup("input"), right } };
		},
		["membership"],
	)
	.build(["membership"], new IHaveSentThis(404, "guild.notfound"), new IHaveSentThis(403, "right.missing"));

const userExist = createChecker("userExist").handler((id: number, output) =>
	id === 1 ? output("user.exist", { id }) : output("user.notfound", null),
);

/** A process that uses a process and a checker. */
const selfCheck = createProcess("selfCheck")
	.process(authenticated, { pickup: ["user"] })
	.check(
		userExist,
		{
			input: (pickup) => pickup("user").id,
			result: "user.exist",
			catch: (response) => response.code(410).info("user.gone").send(),
			indexing: "checked",
		},
		new IHaveSentThis(410, "user.gone"),
	)
	.build(["checked"]);

describe("process", () => {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("GET", "/me")
		.process(authenticated, { pickup: ["user"] })
		.handler(
			({ pickup }, response) => response.code(200).info("me.found").send(pickup("user")),
			new IHaveSentThis(200, "me.found"),
		);
	app
		.declareRoute("GET", "/guilds/{guildId}")
		.extract({ params: { guildId: z.coerce.number() }, query: { right: z.string().optional() } })
		.process(authenticated)
		.process(hasRight, {
			input: (pickup) => pickup("guildId"),
			options: (pickup) => ({ right: pickup("right") ?? "read" }),
			pickup: ["membership"],
		})
		.handler(
			({ pickup }, response) => response.code(200).info("membership.found").send(pickup("membership")),
			new IHaveSentThis(200, "membership.found"),
		);
	app
		.declareRoute("GET", "/nested")
		.process(selfCheck, { pickup: ["checked"] })
		.handler(
			({ pickup }, response) => response.code(200).info("checked").send(pickup("checked")),
			new IHaveSentThis(200, "checked"),
		);
	app
		.declareRoute("GET", "/optional/{skip}")
		.extract({ params: { skip: z.enum(["yes", "no"]) } })
		.process(authenticated, { pickup: ["user"], skip: (pickup) => pickup("skip") === "yes" })
		.handler(
			({ pickup }, response) =>
				response
					.code(200)
					.info("user.maybe")
					.send({ user: pickup("user") ?? null }),
			new IHaveSentThis(200, "user.maybe"),
		);

	it("picks up the keys the process built", async () => {
		const response = await app.inject({ url: "/me", headers: { authorization: "Bearer token-1" } });
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ id: 1, name: "Ush" });
	});

	it("sends from inside the process and stops the route", async () => {
		expect((await app.inject({ url: "/me" })).info).toBe("session.missing");
		expect((await app.inject({ url: "/me", headers: { authorization: "Bearer nope" } })).info).toBe("session.invalid");
		expect((await app.inject({ url: "/me", headers: { authorization: "Basic x" } })).statusCode).toBe(401);
	});

	it("receives input and merged options on its own floor", async () => {
		const headers = { authorization: "Bearer token-1" };
		expect((await app.inject({ url: "/guilds/7", headers })).json()).toEqual({ guildId: 7, right: "read" });
		expect((await app.inject({ url: "/guilds/8", headers })).info).toBe("guild.notfound");
		expect((await app.inject({ url: "/guilds/7?right=write", headers })).info).toBe("right.missing");
	});

	it("carries its hooks into the routes that use it", async () => {
		const response = await app.inject({ url: "/me", headers: { authorization: "Bearer token-1" } });
		expect(response.headers["x-auth-process"]).toBe("yes");
	});

	it("runs processes and checkers nested in a process", async () => {
		const response = await app.inject({ url: "/nested", headers: { authorization: "Bearer token-1" } });
		expect(response.json()).toEqual({ id: 1 });
		expect((await app.inject({ url: "/nested" })).info).toBe("session.missing");
	});

	it("does not leak the process floor into the route", async () => {
		const local = createApp({ environment: "TEST" });
		local
			.declareRoute("GET", "/leak")
			.process(authenticated, { pickup: ["user"] })
			.handler(
				(floor, response) =>
					response
						.code(200)
						.info("leak.checked")
						.send({ session: (floor.pickup as (key: string) => unknown)("session") ?? null }),
				new IHaveSentThis(200, "leak.checked"),
			);
		expect((await local.inject({ url: "/leak", headers: { authorization: "Bearer token-1" } })).json()).toEqual({
			session: null,
		});
	});

	it("runs with { optional: true } only when its input is there, with that input", async () => {
		const local = createApp({ environment: "TEST" });
		local
			.declareRoute("GET", "/maybe-guild")
			.extract({ query: { guildId: z.coerce.number().optional() } })
			.process(hasRight, { input: (pickup) => pickup("guildId"), optional: true, pickup: ["membership"] })
			.handler(
				({ pickup }, response) =>
					response
						.code(200)
						.info("membership.maybe")
						.send({ membership: pickup("membership") ?? null }),
				new IHaveSentThis(200, "membership.maybe"),
			);
		expect((await local.inject({ url: "/maybe-guild" })).json()).toEqual({ membership: null });
		expect((await local.inject({ url: "/maybe-guild?guildId=7" })).json()).toEqual({
			membership: { guildId: 7, right: "read" },
		});
		expect((await local.inject({ url: "/maybe-guild?guildId=8" })).info).toBe("guild.notfound");
	});

	it("is skipped when `skip` answers true", async () => {
		expect((await app.inject({ url: "/optional/yes" })).json()).toEqual({ user: null });
		expect((await app.inject({ url: "/optional/no" })).info).toBe("session.missing");
	});

	it("runs a once-per-request process only once when a route and its processes both use it", async () => {
		let lookups = 0;
		const whoAmI = createProcess("whoAmI")
			.oncePerRequest()
			.cut(async () => {
				lookups++;
				await Promise.resolve();
				return { user: { id: 1 } };
			}, ["user"])
			.build(["user"]);
		const member = createProcess("member")
			.input<number>()
			.process(whoAmI, { pickup: ["user"] })
			.cut(({ pickup }) => ({ membership: { guildId: pickup("input"), userId: pickup("user").id } }), ["membership"])
			.build(["membership"]);
		const local = createApp({ environment: "TEST" });
		local
			.declareRoute("GET", "/guilds/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.process(whoAmI, { pickup: ["user"] })
			.process(member, { input: (pickup) => pickup("id"), pickup: ["membership"] })
			.handler(({ pickup }, response) =>
				unchecked(response)
					.code(200)
					.send({ user: pickup("user"), membership: pickup("membership") }),
			);
		const first = await local.inject({ url: "/guilds/3" });
		expect(first.json()).toEqual({ user: { id: 1 }, membership: { guildId: 3, userId: 1 } });
		expect(lookups).toBe(1);
		await local.inject({ url: "/guilds/4" });
		expect(lookups).toBe(2);
	});

	it("refuses a once-per-request process that takes an input", () => {
		expect(() => createProcess("bad").oncePerRequest().input<number>().build()).toThrow(/cannot take an input/);
	});

	it("refuses to pick up a key the process does not build", () => {
		const local = createApp({ environment: "TEST" });
		expect(() => local.declareRoute("GET", "/x").process(authenticated, { pickup: ["account"] as never })).toThrow(
			/does not build "account"/,
		);
	});
});
