// A page in headless Chromium, on both storages: it signs in with the session cookie, reads a character, and shows its
// portrait in an <img> whose request goes through GET /api/files/{fileId} and its redirect to the signed URL.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { filesAppPerTest, pictureBytes, storageDrivers, uploadFile } from "../helpers/files.js";
import { defaultPassword, signUp } from "../helpers/identity.js";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);

/** Written into a document of the API's origin (the API has no pages): signs in, then shows the portrait. */
const page = (email: string, characterId: number) => `<!doctype html>
<html><body><p id="state">starting</p>
<script type="module">
	const state = document.getElementById("state");
	const signedIn = await fetch("/api/auth/login", {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ email: ${JSON.stringify(email)}, password: ${JSON.stringify(defaultPassword)} }),
	});
	state.textContent = "login " + signedIn.status;
	const { character } = await (await fetch("/api/characters/${characterId}")).json();
	const image = document.createElement("img");
	image.id = "portrait";
	image.alt = character.name;
	image.onload = () => { state.textContent = "shown " + image.naturalWidth + "x" + image.naturalHeight; };
	image.onerror = () => { state.textContent = "broken"; };
	image.src = character.portrait.url;
	document.body.append(image);
</script></body></html>`;

describe.each(storageDrivers)("a portrait in a browser ($driver)", (driver) => {
	let app: App;
	let browser: Browser | undefined;
	filesAppPerTest(driver, (fresh) => {
		({ app } = fresh);
	});
	afterEach(async () => {
		await browser?.close();
		browser = undefined;
		await app.close();
	});

	// Like the documentation page's test, the one kind of skip the suite allows: .ci/run installs Chromium.
	it.skipIf(!hasChromium)(
		hasChromium
			? "loads the <img> through /api/files/{fileId}, its 302 and the signed URL, with the session cookie"
			: `SKIPPED: Chromium is missing at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`,
		async () => {
			const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
			const base = `http://127.0.0.1:${port}`;
			const player = await signUp(app);
			const account = await createAccountAs(app, player);
			const character = await createCharacterAs(app, player, account.id, { name: "Sadida-Feuillu" });
			const uploaded = await uploadFile(
				app,
				player,
				`/api/characters/${character.id}/portrait`,
				await pictureBytes("jpeg", 500, 400),
				{ type: "image/jpeg" },
			);
			expect(uploaded.statusCode, uploaded.body).toBe(200);
			const { portrait } = uploaded.json();

			browser = await chromium.launch({
				executablePath: chromiumPath,
				args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
			});
			const tab = await browser.newPage();
			const failures: string[] = [];
			tab.on("pageerror", (error) => failures.push(error.message));
			const chain: string[] = [];
			tab.on("response", (response) => {
				const url = new URL(response.url());
				if (url.pathname.startsWith("/api/files/") || url.searchParams.has("X-Amz-Signature"))
					chain.push(`${response.status()} ${url.origin === base ? url.pathname : "signed S3 URL"}`);
			});
			// A document of the API's own origin, loaded from it (a page fulfilled by the test would count as public, and
			// Chromium's local network access rules would then refuse the loopback S3 server), then written over.
			await tab.goto(`${base}/health`);
			await tab.setContent(page(player.email, character.id));
			await tab.locator("#state", { hasText: /^(shown|broken)/ }).waitFor({ timeout: 15_000 });

			expect(await tab.locator("#state").textContent()).toBe("shown 256x256");
			expect(chain[0]).toBe(`302 /api/files/${portrait.fileId}`);
			expect(chain[1]).toMatch(
				driver.driver === "filesystem" ? /^200 \/api\/files\/content\/files\// : /^200 signed S3 URL$/,
			);
			expect(failures).toEqual([]);
		},
		40_000,
	);
});
