// Columns sealed at rest (users.totp_secret): their AAD context, and the data migration that seals and re-keys them.
import { eq, isNotNull, sql } from "drizzle-orm";
import type { Keyring } from "../secrets/keyring.js";
import { isUnsealed, openSecret, SealedSecretError, sealedKeyId, sealSecret } from "../secrets/sealed.js";
import type { Executor } from "./client.js";
import { users } from "./schema/index.js";

/** Binds a sealed TOTP secret to its row: copied onto another user, it no longer opens. */
export function totpSecretContext(userId: number): string {
	return `users.totp_secret:${userId}`;
}

export interface SealingReport {
	/** Plaintext values from before encryption, now sealed with the current key. */
	sealed: number;
	/** Values under a previous key, now under the current one. */
	rekeyed: number;
}

/**
 * Seals every plaintext TOTP secret and re-encrypts those under a previous key with the current key. A SQL migration
 * cannot do it (it has no key), so this runs at every start after the SQL migrations, and in `npm run db:migrate`.
 * Idempotent (values under the current key are not touched) and all-or-nothing: one transaction, rows locked,
 * and a value under an unknown key id, or one that fails authentication, fails the whole run with a message
 * naming the key id and the users, never a secret.
 */
export async function sealTotpSecrets(db: Executor, keyring: Keyring): Promise<SealingReport> {
	return db.transaction(async (tx) => {
		const rows = await tx
			.select({ id: users.id, secret: users.totpSecret })
			.from(users)
			.where(isNotNull(users.totpSecret))
			.orderBy(users.id)
			.for("update");
		const report: SealingReport = { sealed: 0, rekeyed: 0 };
		const refused = new Map<string, number[]>();
		let firstProblem: SealedSecretError["problem"] = "unknown-key";
		const changes: Array<{ id: number; secret: string }> = [];
		for (const row of rows) {
			if (row.secret === null) continue;
			const context = totpSecretContext(row.id);
			if (isUnsealed(row.secret)) {
				changes.push({ id: row.id, secret: sealSecret(keyring, row.secret, context) });
				report.sealed++;
				continue;
			}
			if (sealedKeyId(row.secret) === keyring.current.id) continue;
			try {
				changes.push({ id: row.id, secret: sealSecret(keyring, openSecret(keyring, row.secret, context), context) });
				report.rekeyed++;
			} catch (error) {
				if (!(error instanceof SealedSecretError)) throw error;
				if (refused.size === 0) firstProblem = error.problem;
				const reason =
					error.problem === "unknown-key"
						? `unknown key id "${error.keyId}"`
						: `${error.problem} (key id "${error.keyId ?? "?"}")`;
				refused.set(reason, [...(refused.get(reason) ?? []), row.id]);
			}
		}
		if (refused.size > 0) {
			const lines = [...refused].map(([reason, ids]) => `${reason}: users ${ids.join(", ")}`);
			throw new SealedSecretError(
				firstProblem,
				`cannot re-encrypt TOTP secrets (nothing was changed): ${lines.join("; ")}. Keys in use: ${keyring.ids.join(", ")}; add the missing key to SECRETS_KEYS_PREVIOUS.`,
			);
		}
		// updated_at keeps its exact value (a JS Date would drop the microseconds): re-encryption is not a change the user made.
		for (const change of changes) {
			await tx
				.update(users)
				.set({ totpSecret: change.secret, updatedAt: sql`${users.updatedAt}` })
				.where(eq(users.id, change.id));
		}
		return report;
	});
}
