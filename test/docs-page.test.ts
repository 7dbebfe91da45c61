// Specification of GET /docs: the Swagger UI page, served offline from node_modules, renders the API in a real browser.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/core/index.js";
import { getTestDatabase } from "./helpers/database.js";
import { buildIdentityApp } from "./helpers/identity.js";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);

let app: App;
let baseUrl: string;

beforeAll(async () => {
	({ app } = buildIdentityApp(await getTestDatabase()));
	const { port } = await app.listen({ port: 0 });
	baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(() => app?.close());

describe("GET /docs", () => {
	it("answers an HTML page that loads the UI from this server, not from a CDN", async () => {
		const response = await app.inject({ method: "GET", url: "/docs" });
		expect(response.statusCode).toBe(200);
		expect(response.info).toBe("docs.page");
		expect(response.headers["content-type"]).toMatch(/^text\/html/);
		const sources = [...response.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
		expect(sources.length).toBeGreaterThan(0);
		for (const source of sources) expect(source).toMatch(/^\/docs\/assets\//);
	});

	it("serves the UI's assets from node_modules with their content type", async () => {
		const script = await app.inject({ method: "GET", url: "/docs/assets/swagger-ui-bundle.js" });
		expect(script.statusCode).toBe(200);
		expect(script.info).toBe("docs.asset");
		expect(script.headers["content-type"]).toMatch(/^text\/javascript/);
		const css = await app.inject({ method: "GET", url: "/docs/assets/swagger-ui.css" });
		expect(css.headers["content-type"]).toMatch(/^text\/css/);
	});

	it("answers 404 docs.asset.notfound for any other file, so node_modules cannot be browsed", async () => {
		for (const file of ["package.json", "..%2F..%2Fpackage.json", "index.html"]) {
			const response = await app.inject({ method: "GET", url: `/docs/assets/${file}` });
			expect(response.statusCode).toBe(404);
			expect(response.info).toBe("docs.asset.notfound");
		}
	});
});

describe("the documentation page in a browser", () => {
	let browser: Browser | undefined;

	afterAll(() => browser?.close());

	// The one skip of the suite: the page needs a real browser, and .ci/run installs Chromium.
	it.skipIf(!hasChromium)(
		hasChromium
			? "renders the operations list with GET /health in headless Chromium"
			: `SKIPPED: Chromium is missing at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`,
		async () => {
			browser = await chromium.launch({
				executablePath: chromiumPath,
				args: [
					"--headless",
					"--no-sandbox",
					"--disable-gpu",
					"--disable-quic",
					"--no-first-run",
					"--disable-background-networking",
					"--disable-component-update",
					"--disable-sync",
				],
			});
			const page = await browser.newPage();
			const foreign: string[] = [];
			// Everything must come from our server: the machine may have no internet at all.
			page.on("request", (request) => {
				if (!request.url().startsWith(baseUrl) && !request.url().startsWith("data:")) foreign.push(request.url());
			});
			const failures: string[] = [];
			page.on("pageerror", (error) => failures.push(error.message));
			await page.goto(`${baseUrl}/docs`);
			const operations = page.locator(".opblock");
			await operations.first().waitFor({ timeout: 15_000 });
			expect(await operations.count()).toBeGreaterThan(10);
			const health = page.locator(".opblock-summary-path", { hasText: /^\/health$/ });
			await expect(health.count()).resolves.toBeGreaterThanOrEqual(1);
			await expect(page.locator(".opblock-tag", { hasText: "guilds" }).count()).resolves.toBe(1);
			expect(await page.locator(".info .title").textContent()).toContain("Dofus Manager API");
			expect(foreign).toEqual([]);
			expect(failures).toEqual([]);
		},
		30_000,
	);
});
