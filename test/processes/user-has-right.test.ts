// The `userHasRight` process on the guild settings routes: membership for reading, a right for changing.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { createGuildWithMember, freshAppPerTest, signUp } from "../helpers/identity.js";

let app: App;
freshAppPerTest((fresh) => {
	({ app } = fresh);
});

const settingsUrl = (guildId: number) => `/api/guilds/${guildId}/settings`;

describe("userHasRight", () => {
	it("lets any member through when the route asks only for membership", async () => {
		const { member, guildId } = await createGuildWithMember(app);
		const response = await app.inject({ url: settingsUrl(guildId), headers: member.headers });
		expect(response.statusCode, response.body).toBe(200);
	});

	it("answers a non-member exactly as for a guild that does not exist: 404 guild.notfound", async () => {
		const { guildId } = await createGuildWithMember(app);
		const stranger = await signUp(app);
		const theirs = await app.inject({ url: settingsUrl(guildId), headers: stranger.headers });
		const missing = await app.inject({ url: settingsUrl(guildId + 1000), headers: stranger.headers });
		expect(theirs).toAnswer(404, "guild.notfound");
		expect(missing).toAnswer(404, "guild.notfound");
		expect(theirs.json()).toEqual(missing.json());
	});

	it("refuses a member whose role lacks the right with 403 right.missing, naming the right", async () => {
		const { member, guildId } = await createGuildWithMember(app);
		const response = await app.inject({
			method: "PUT",
			url: settingsUrl(guildId),
			headers: member.headers,
			body: { locale: "en" },
		});
		expect(response).toAnswer(403, "right.missing");
		expect(response.json().message).toBe("Your role in this guild does not grant guild.manage.");
	});

	it("lets a member whose role grants the right through", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const response = await app.inject({
			method: "PUT",
			url: settingsUrl(guildId),
			headers: owner.headers,
			body: { locale: "en" },
		});
		expect(response.statusCode, response.body).toBe(200);
	});

	it("declares right.missing only on the routes that ask for a right", async () => {
		const document = (await app.inject({ url: "/openapi.json" })).json();
		const infos = (method: "get" | "put", status: string): string[] =>
			document.paths["/api/guilds/{guildId}/settings"][method].responses[status]?.["x-infos"] ?? [];
		expect(infos("get", "403")).not.toContain("right.missing");
		expect(infos("put", "403")).toContain("right.missing");
		expect(infos("get", "404")).toContain("guild.notfound");
		expect(infos("put", "404")).toContain("guild.notfound");
	});
});
