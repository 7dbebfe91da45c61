// The data migration that seals TOTP secrets: plaintext rows from before encryption, key rotation, unknown keys, and 2FA login after it.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { type Database, queryRows, sealTotpSecrets, startDatabase } from "../../src/db/index.js";
import { Keyring, keyringFromConfig, SecretKey } from "../../src/secrets/keyring.js";
import { generateTotpSecret, totpCode } from "../../src/services/totp.js";
import { createEmptyDatabaseConfig } from "../helpers/database.js";
import { buildIdentityApp, freshAppPerTest, signUp, type TestClock, type TestUser } from "../helpers/identity.js";
import { captureLogs } from "../helpers/log-capture.js";

let db: Database;
let app: App;
let clock: TestClock;

freshAppPerTest((fresh) => ({ db, app, clock } = fresh));

const k1Bytes = randomBytes(32);
const k2Bytes = randomBytes(32);
const k1 = new SecretKey("k1", k1Bytes);
const k2 = new SecretKey("k2", k2Bytes);

async function storedSecret(userId: number, on: Database = db) {
	return (
		await queryRows<{ totp_secret: string | null }>(on, sql`select totp_secret from users where id = ${userId}`)
	)[0]?.totp_secret;
}

/** A 2FA user as a release before encryption left them: the base32 secret in clear, 2FA on. */
async function plaintextTwoFactorUser(on: Database = db, userId?: number) {
	const user = userId === undefined ? await signUp(app) : undefined;
	const id = userId ?? user?.id ?? 0;
	const secret = generateTotpSecret();
	await on.execute(
		sql`update users set totp_secret = ${secret}, totp_enabled_at = now(), totp_last_step = null where id = ${id}`,
	);
	return { user, id, secret };
}

/** Password then TOTP code through `target`; the clock moves a step first so the code is never a replay. */
async function twoFactorLogin(
	target: { app: App; clock: TestClock },
	user: Pick<TestUser, "email" | "password">,
	secret: string,
) {
	target.clock.advance(30_000);
	const challenge = await target.app.inject({
		method: "POST",
		url: "/api/auth/login",
		body: { email: user.email, password: user.password },
	});
	expect(challenge.info).toBe("login.second_factor_required");
	return target.app.inject({
		method: "POST",
		url: "/api/auth/2fa/verify",
		body: { challengeToken: challenge.json().challengeToken, code: totpCode(secret, target.clock()) },
	});
}

/** Sets up and enables 2FA through an app configured with `config`'s keys. */
async function enableThrough(config: { SECRETS_KEY?: SecretKey; SECRETS_KEYS_PREVIOUS?: SecretKey[] }) {
	const built = buildIdentityApp(db, { config });
	const user = await signUp(built.app);
	const setup = await built.app.inject({ method: "POST", url: "/api/auth/2fa/setup", headers: user.headers });
	const secret = setup.json().secret as string;
	const enabled = await built.app.inject({
		method: "POST",
		url: "/api/auth/2fa/enable",
		headers: user.headers,
		body: { code: totpCode(secret, built.clock()) },
	});
	expect(enabled.statusCode, enabled.body).toBe(204);
	return { user, secret };
}

describe("sealTotpSecrets on plaintext rows from before encryption", () => {
	it("seals them with the current key, and 2FA login still works after it", async () => {
		const { user, secret } = await plaintextTwoFactorUser();
		expect(await sealTotpSecrets(db, keyringFromConfig({ APP_ENV: "TEST" }))).toEqual({ sealed: 1, rekeyed: 0 });
		const stored = await storedSecret(user?.id ?? 0);
		expect(stored).toMatch(/^v1:dev:/);
		expect(stored).not.toContain(secret);
		const response = await twoFactorLogin({ app, clock }, user as TestUser, secret);
		expect([response.statusCode, response.info]).toEqual([200, "login.success"]);
	});

	it("is idempotent: a second run changes nothing", async () => {
		const { id } = await plaintextTwoFactorUser();
		const keyring = new Keyring(k1);
		await sealTotpSecrets(db, keyring);
		const once = await storedSecret(id);
		expect(await sealTotpSecrets(db, keyring)).toEqual({ sealed: 0, rekeyed: 0 });
		expect(await storedSecret(id)).toBe(once);
	});

	it("leaves users without a secret alone and keeps updated_at", async () => {
		const without = await signUp(app);
		const { id } = await plaintextTwoFactorUser();
		const before = await queryRows<{ updated_at: unknown }>(db, sql`select updated_at from users where id = ${id}`);
		await sealTotpSecrets(db, new Keyring(k1));
		expect(await storedSecret(without.id)).toBeNull();
		expect(await queryRows(db, sql`select updated_at from users where id = ${id}`)).toEqual(before);
	});
});

describe("key rotation", () => {
	it("keeps 2FA login working before the migration while the old key is in SECRETS_KEYS_PREVIOUS", async () => {
		const { user, secret } = await enableThrough({ SECRETS_KEY: k1 });
		expect(await storedSecret(user.id)).toMatch(/^v1:k1:/);
		const rotated = buildIdentityApp(db, { config: { SECRETS_KEY: k2, SECRETS_KEYS_PREVIOUS: [k1] } });
		rotated.clock.advance(30_000);
		expect((await twoFactorLogin(rotated, user, secret)).info).toBe("login.success");
	});

	it("re-encrypts values under a previous key to the current key id; the old key is then no longer needed", async () => {
		const { user, secret } = await enableThrough({ SECRETS_KEY: k1 });
		const fresh = await plaintextTwoFactorUser();
		expect(await sealTotpSecrets(db, new Keyring(k2, [k1]))).toEqual({ sealed: 1, rekeyed: 1 });
		for (const id of [user.id, fresh.id]) expect(await storedSecret(id)).toMatch(/^v1:k2:/);
		const onlyNewKey = buildIdentityApp(db, { config: { SECRETS_KEY: k2 } });
		onlyNewKey.clock.advance(30_000);
		expect((await twoFactorLogin(onlyNewKey, user, secret)).info).toBe("login.success");
	});

	it("refuses, naming the key id and the user, a value under a key the keyring lacks, and changes nothing", async () => {
		const { user } = await enableThrough({ SECRETS_KEY: k1 });
		const plain = await plaintextTwoFactorUser();
		const sealedWithK1 = await storedSecret(user.id);
		await expect(sealTotpSecrets(db, new Keyring(k2))).rejects.toThrow(`unknown key id "k1": users ${user.id}`);
		expect(await storedSecret(user.id)).toBe(sealedWithK1);
		expect(await storedSecret(plain.id)).toBe(plain.secret);
	});

	it("answers 500 to a 2FA login whose secret is under an unknown key id, and logs the key id", async () => {
		const { user, secret } = await enableThrough({ SECRETS_KEY: k1 });
		const logs = captureLogs("debug");
		const lost = buildIdentityApp(db, { config: { SECRETS_KEY: k2 }, logger: logs.logger });
		const response = await twoFactorLogin(lost, user, secret);
		expect(response.statusCode).toBe(500);
		expect(logs.text()).toContain('key id \\"k1\\", which is neither SECRETS_KEY nor in SECRETS_KEYS_PREVIOUS');
		expect(logs.text()).not.toContain(secret);
	});
});

describe("at start and in npm run db:migrate", () => {
	it("startDatabase seals plaintext rows after the SQL migrations, then db:migrate re-encrypts them to a new key", {
		timeout: 120_000,
	}, async () => {
		const { config } = await createEmptyDatabaseConfig();
		const first = await startDatabase({ ...config, APP_ENV: "TEST" });
		let userId: number;
		try {
			[{ id: userId }] = (await queryRows<{ id: number }>(
				first.db,
				sql`insert into users (email, password_hash, display_name) values ('old@example.test', 'x', 'Old') returning id`,
			)) as [{ id: number }];
			await plaintextTwoFactorUser(first.db, userId);
		} finally {
			await first.close();
		}

		const logs = captureLogs();
		const second = await startDatabase(
			{ ...config, APP_ENV: "PROD", SECRETS_KEY: k1, SECRETS_KEYS_PREVIOUS: [] },
			logs.logger,
		);
		try {
			expect(await storedSecret(userId, second.db)).toMatch(/^v1:k1:/);
			expect(logs.lines.find((line) => line.msg === "database ready")?.secrets).toEqual({
				keyId: "k1",
				sealed: 1,
				rekeyed: 0,
			});
		} finally {
			await second.close();
		}

		// The CLI reads the environment: k2 current, k1 previous.
		const result = spawnSync(process.execPath, ["--import", "tsx", "src/db/cli/migrate.ts"], {
			env: {
				...process.env,
				APP_ENV: "PROD",
				DATABASE_URL: config.DATABASE_URL ?? "",
				PGLITE_DIR: config.PGLITE_DIR,
				SECRETS_KEY: `k2:${k2Bytes.toString("base64")}`,
				SECRETS_KEYS_PREVIOUS: `k1:${k1Bytes.toString("base64")}`,
			},
			encoding: "utf8",
			timeout: 90_000,
		});
		expect(result.status, result.stderr).toBe(0);
		expect(result.stdout).toContain('TOTP secrets: 0 sealed, 1 re-encrypted to key "k2"');
		expect(result.stdout + result.stderr).not.toContain(k1Bytes.toString("base64"));
		const third = await startDatabase({ ...config, APP_ENV: "PROD", SECRETS_KEY: k2, SECRETS_KEYS_PREVIOUS: [] });
		try {
			expect(await storedSecret(userId, third.db)).toMatch(/^v1:k2:/);
		} finally {
			await third.close();
		}
	});
});
