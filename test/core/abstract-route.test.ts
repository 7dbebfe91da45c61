import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

describe("abstract routes", () => {
	const app = createApp({ environment: "TEST" });
	const calls: string[] = [];
	const withLocale = app
		.declareAbstractRoute("withLocale")
		.hook("beforeSend", (_request, response) => {
			response.header("content-language", "fr");
		})
		.extract({ headers: { "accept-language": z.enum(["fr", "en"]).default("fr") } })
		.cut(() => void calls.push("locale"))
		.build(["accept-language"]);
	const withTenant = app
		.declareAbstractRoute("withTenant")
		.extract({ query: { tenant: z.string().min(1) } })
		.build(["tenant"]);

	withLocale.declareRoute("GET", "/hello").handler(({ pickup }, response) =>
		unchecked(response)
			.code(200)
			.send({ locale: pickup("accept-language") }),
	);
	app
		.mergeAbstractRoutes("withLocaleAndTenant", [withLocale, withTenant])
		.declareRoute("GET", "/scoped")
		.extract({ query: { page: z.coerce.number().default(1) } })
		.handler(({ pickup }, response) =>
			unchecked(response)
				.code(200)
				.send({ locale: pickup("accept-language"), tenant: pickup("tenant"), page: pickup("page") }),
		);
	withLocale
		.declareAbstractRoute("withLocaleThenCheck")
		.cut(() => void calls.push("child"))
		.build(["accept-language"])
		.declareRoute("GET", "/child")
		.handler((_floor, response) => unchecked(response).code(200).send());

	it("runs its steps and hooks before the route's own", async () => {
		calls.length = 0;
		const response = await app.inject({ url: "/hello", headers: { "accept-language": "en" } });
		expect(response.json()).toEqual({ locale: "en" });
		expect(response.headers["content-language"]).toBe("fr");
		expect(calls).toEqual(["locale"]);
	});

	it("answers for the route when one of its steps refuses the request", async () => {
		const response = await app.inject({ url: "/hello", headers: { "accept-language": "de" } });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.headers.accept-language");
	});

	it("can be merged with another: both run, their exports add up", async () => {
		const response = await app.inject({ url: "/scoped?tenant=bonta&page=2" });
		expect(response.json()).toEqual({ locale: "fr", tenant: "bonta", page: 2 });
		expect((await app.inject({ url: "/scoped" })).info).toBe("TYPE_ERROR.query.tenant");
	});

	it("can be extended by another abstract route", async () => {
		calls.length = 0;
		await app.inject({ url: "/child" });
		expect(calls).toEqual(["locale", "child"]);
	});
});
