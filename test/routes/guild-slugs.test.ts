// Guild slugs through the API: given or derived at creation (collision suffixes, reserved names), changed by an owner.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { publishedEvents } from "../helpers/events.js";
import { addMember, buildIdentityApp, freshAppPerTest, signUp } from "../helpers/identity.js";
import { createGuildWithSlug } from "../helpers/tenancy.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

describe("POST /api/guilds: the slug", () => {
	it("is the one given, lower-cased", async () => {
		const owner = await signUp(app);
		const response = await as(app, owner).post("/api/guilds", { name: "Les Iops", slug: " Les-Iops " });
		expect(response).toAnswer(201, "guild.created");
		expect(response.json().guild.slug).toBe("les-iops");
	});

	it("is derived from the name when omitted, with -2, -3… when taken", async () => {
		const owner = await signUp(app);
		const slugs: string[] = [];
		for (let n = 0; n < 3; n++)
			slugs.push((await as(app, owner).post("/api/guilds", { name: "L'Élite du Crâ" })).json().guild.slug);
		expect(slugs).toEqual(["l-elite-du-cra", "l-elite-du-cra-2", "l-elite-du-cra-3"]);
	});

	it("is derived past a reserved name", async () => {
		const owner = await signUp(app);
		expect((await as(app, owner).post("/api/guilds", { name: "Admin" })).json().guild.slug).toBe("admin-2");
	});

	it("is derived past a slug given to another guild", async () => {
		const owner = await signUp(app);
		await createGuildWithSlug(app, owner, "les-bworks", "Autre chose");
		expect((await as(app, owner).post("/api/guilds", { name: "Les Bworks" })).json().guild.slug).toBe("les-bworks-2");
	});

	it("is derived for names with too few ASCII letters or digits", async () => {
		const owner = await signUp(app);
		expect((await as(app, owner).post("/api/guilds", { name: "Io" })).json().guild.slug).toBe("io-guild");
		expect((await as(app, owner).post("/api/guilds", { name: "日本" })).json().guild.slug).toBe("guild");
	});

	it("is listed with the caller's guilds", async () => {
		const owner = await signUp(app);
		await createGuildWithSlug(app, owner, "iop");
		expect((await as(app, owner).get("/api/guilds")).json().guilds).toEqual([expect.objectContaining({ slug: "iop" })]);
	});

	it.each([
		["too short", "ab"],
		["too long", "a".repeat(31)],
		["with an underscore", "les_iops"],
		["with a leading dash", "-iop"],
		["with a trailing dash", "iop-"],
		["with an accent", "crâ"],
		["with a dot", "iop.fr"],
	])("answers 400 TYPE_ERROR.body.slug to a slug %s", async (_label, slug) => {
		const owner = await signUp(app);
		expect(await as(app, owner).post("/api/guilds", { name: "Les Iops", slug })).toAnswer(400, "TYPE_ERROR.body.slug");
	});

	it("answers 409 guild.slug_reserved to a reserved slug, built in or configured", async () => {
		({ app } = buildIdentityApp(db, { config: { RESERVED_SLUGS: ["forum"] } }));
		const owner = await signUp(app);
		for (const slug of ["www", "api", "login", "forum"])
			expect(await as(app, owner).post("/api/guilds", { name: "Platform", slug }), slug).toAnswer(
				409,
				"guild.slug_reserved",
			);
	});

	it("answers 409 guild.slug_taken to another guild's slug", async () => {
		const owner = await signUp(app);
		await createGuildWithSlug(app, owner, "iop");
		const response = await as(app, await signUp(app)).post("/api/guilds", { name: "Iop bis", slug: "iop" });
		expect(response).toAnswer(409, "guild.slug_taken");
		expect((await as(app, owner).get("/api/guilds")).json().guilds).toHaveLength(1);
	});

	it("is unique when two guilds ask for it at once", async () => {
		const [first, second] = [await signUp(app), await signUp(app)];
		const answers = await Promise.all([
			as(app, first).post("/api/guilds", { name: "Iop A", slug: "iop" }),
			as(app, second).post("/api/guilds", { name: "Iop B", slug: "iop" }),
		]);
		expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409]);
	});

	it("is derived uniquely for two guilds of one name created at once", async () => {
		const owner = await signUp(app);
		const answers = await Promise.all(
			Array.from({ length: 4 }, () => as(app, owner).post("/api/guilds", { name: "Les Bworks" })),
		);
		const slugs = answers.map((answer) => answer.json().guild.slug).sort();
		expect(slugs).toEqual(["les-bworks", "les-bworks-2", "les-bworks-3", "les-bworks-4"]);
	});
});

describe("PATCH /api/guilds/{guildId}: the slug", () => {
	it("changes it for an owner, told to the guild's room as guild.updated", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		const response = await as(app, owner).patch(`/api/guilds/${guildId}`, { slug: "iop-des-bois" });
		expect(response).toAnswer(200, "guild.updated");
		expect(response.json().guild.slug).toBe("iop-des-bois");
		const updated = (await publishedEvents(db)).filter((event) => event.type === "guild.updated");
		expect(updated.map((event) => (event.data as { slug: string }).slug)).toEqual(["iop-des-bois"]);
	});

	it("changes the name and the slug together", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		const response = await as(app, owner).patch(`/api/guilds/${guildId}`, { name: "Les Sram", slug: "sram" });
		expect(response.json().guild).toMatchObject({ name: "Les Sram", slug: "sram" });
	});

	it("answers 403 owner.required to a manager who is not an owner, and lets them rename", async () => {
		const owner = await signUp(app);
		const manager = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		const role = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Bras droit",
			permissions: ["guild.manage"],
		});
		await addMember(app, guildId, owner, manager, role.json().role.id);
		expect(await as(app, manager).patch(`/api/guilds/${guildId}`, { slug: "sram" })).toAnswer(403, "owner.required");
		expect(await as(app, manager).patch(`/api/guilds/${guildId}`, { name: "Renamed" })).toAnswer(200, "guild.updated");
		expect((await as(app, owner).get(`/api/guilds/${guildId}`)).json().guild.slug).toBe("iop");
	});

	it("answers 409 guild.slug_taken to another guild's slug, and 409 guild.slug_reserved to a reserved one", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		await createGuildWithSlug(app, owner, "sram");
		expect(await as(app, owner).patch(`/api/guilds/${guildId}`, { slug: "sram" })).toAnswer(409, "guild.slug_taken");
		expect(await as(app, owner).patch(`/api/guilds/${guildId}`, { slug: "admin" })).toAnswer(
			409,
			"guild.slug_reserved",
		);
	});

	it("leaves everything as it was when the slug is refused", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop", "Les Iops");
		await createGuildWithSlug(app, owner, "sram");
		await as(app, owner).patch(`/api/guilds/${guildId}`, { name: "Nouveau nom", slug: "sram" });
		expect((await as(app, owner).get(`/api/guilds/${guildId}`)).json().guild).toMatchObject({
			name: "Les Iops",
			slug: "iop",
		});
	});

	it("accepts the current slug as a change of nothing", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		expect((await as(app, owner).patch(`/api/guilds/${guildId}`, { slug: "IOP" })).json().guild.slug).toBe("iop");
	});

	it("answers 401 without a session", async () => {
		expect(await anonymous(app).patch("/api/guilds/1", { slug: "iop" })).toAnswer(401, "session.missing");
	});
});
