// `npm run db:migrate`: applies pending migrations, seals TOTP secrets stored in plain text or under a previous key, and exits.
import { keyringFromConfig } from "../../secrets/keyring.js";
import { migrateDatabase } from "../migrate.js";
import { sealTotpSecrets } from "../sealed-columns.js";
import { runWithDatabase } from "./run.js";

await runWithDatabase(async (handle, config) => {
	await migrateDatabase(handle);
	const keyring = keyringFromConfig(config);
	const { sealed, rekeyed } = await sealTotpSecrets(handle.db, keyring);
	return `migrations applied; TOTP secrets: ${sealed} sealed, ${rekeyed} re-encrypted to key "${keyring.current.id}"`;
});
