// `npm start` in DEV with no SECRETS_KEY: starts with zero setup on the development key and says so in a warning.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";

describe("npm start in DEV without SECRETS_KEY", () => {
	it("boots, warns that the public development key is in use, and never prints a key", async () => {
		const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
			env: {
				...process.env,
				APP_ENV: "DEV",
				PORT: "0",
				PGLITE_DIR: "memory://",
				LOG_LEVEL: "info",
				DATABASE_URL: "",
				SECRETS_KEY: "",
				SECRETS_KEYS_PREVIOUS: "",
			},
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		const port = await new Promise<number>((resolve, reject) => {
			child.stdout.setEncoding("utf8");
			child.stdout.on("data", (chunk: string) => {
				output += chunk;
				const match = /"port":(\d+)/.exec(output);
				if (match) resolve(Number(match[1]));
			});
			child.once("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
		});
		const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
		try {
			expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
		} finally {
			child.kill("SIGTERM");
		}
		expect(await exited).toBe(0);
		const lines = output
			.split("\n")
			.filter(Boolean)
			.map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(lines.find((line) => line.msg === "database ready")?.secrets).toEqual({
			keyId: "dev",
			sealed: 0,
			rekeyed: 0,
		});
		const warning = lines.find((line) => String(line.msg).startsWith("SECRETS_KEY is unset"));
		expect(warning).toMatchObject({ level: 40, keyId: "dev" });
		const developmentKey = createHash("sha256")
			.update("dofus-manager public development key, never for production")
			.digest();
		for (const encoding of ["base64", "base64url", "hex"] as const)
			expect(output).not.toContain(developmentKey.toString(encoding).slice(0, 16));
	}, 120_000);
});
