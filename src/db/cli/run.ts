// Shared wrapper for the db:* scripts: config from the environment, one handle, a clear exit code.
import { type Config, loadConfig } from "../../config.js";
import { type DatabaseHandle, openDatabase } from "../client.js";

export async function runWithDatabase(
	task: (handle: DatabaseHandle, config: Config) => Promise<string>,
): Promise<void> {
	let handle: DatabaseHandle | undefined;
	try {
		const config = loadConfig();
		handle = await openDatabase(config);
		const where = handle.engine === "pglite" ? `PGlite (${config.PGLITE_DIR})` : "PostgreSQL";
		console.log(`${await task(handle, config)} [${where}]`);
	} catch (error) {
		console.error(error);
		process.exitCode = 1;
	} finally {
		await handle?.close();
	}
}
