// A page in headless Chromium: it signs in with the session cookie, follows GET /api/events with the browser's own
// EventSource, and shows an event caused by an API call.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/index.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { defaultPassword, loginAs, registerUser } from "../helpers/identity.js";
import { type RealtimeInstance, realtimeInstancePerTest } from "../helpers/realtime.js";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);

let instance: RealtimeInstance & { handle: DatabaseHandle };
realtimeInstancePerTest((fresh) => {
	instance = fresh;
});

/** Served by the browser itself at the API's origin (the API has no such page): signs in, then lists what arrives. */
const page = (email: string) => `<!doctype html>
<html><body><ul id="events"></ul><p id="state">starting</p>
<script type="module">
	const state = document.getElementById("state");
	const signedIn = await fetch("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ email: ${JSON.stringify(email)}, password: ${JSON.stringify(defaultPassword)} }),
	});
	state.textContent = "login " + signedIn.status;
	const source = new EventSource("/api/events");
	source.onopen = () => { state.textContent = "open"; };
	source.onmessage = (message) => {
		const event = JSON.parse(message.data);
		const item = document.createElement("li");
		item.textContent = event.type + " " + (event.data.name ?? "");
		item.dataset.id = message.lastEventId;
		document.getElementById("events").append(item);
	};
</script></body></html>`;

describe("GET /api/events in a browser", () => {
	let browser: Browser | undefined;

	afterAll(() => browser?.close());

	// Like the documentation page's test, the one kind of skip the suite allows: .ci/run installs Chromium.
	it.skipIf(!hasChromium)(
		hasChromium
			? "shows, through EventSource and the session cookie, a character created by an API call"
			: `SKIPPED: Chromium is missing at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`,
		async () => {
			const player = await registerUser(instance.app);
			browser = await chromium.launch({
				executablePath: chromiumPath,
				args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
			});
			const tab = await browser.newPage();
			const failures: string[] = [];
			tab.on("pageerror", (error) => failures.push(error.message));
			await tab.route(`${instance.base}/realtime-page`, (route) =>
				route.fulfill({ contentType: "text/html; charset=utf-8", body: page(player.email) }),
			);
			await tab.goto(`${instance.base}/realtime-page`);
			await tab.locator("#state", { hasText: "open" }).waitFor({ timeout: 10_000 });

			// Another session of the same player (an API client) makes the change.
			const client = await loginAs(instance.app, player);
			const account = await createAccountAs(instance.app, client);
			await createCharacterAs(instance.app, client, account.id, { name: "Eniripsa" });

			const shown = tab.locator("#events li", { hasText: "character.created Eniripsa" });
			await shown.waitFor({ timeout: 10_000 });
			expect(Number(await shown.getAttribute("data-id"))).toBeGreaterThan(0);
			expect(failures).toEqual([]);
		},
		40_000,
	);
});
