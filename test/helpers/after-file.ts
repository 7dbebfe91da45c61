// Cleanups that run once a test file is done (closing its database), registered lazily by helpers.
const tasks: Array<() => Promise<void>> = [];

export function afterFile(task: () => Promise<void>): void {
	tasks.push(task);
}

/** Called by the vitest setup file's afterAll; runs every task even if one fails. */
export async function runAfterFileTasks(): Promise<void> {
	const failures: unknown[] = [];
	for (const task of tasks.splice(0).reverse()) {
		await task().catch((error: unknown) => failures.push(error));
	}
	if (failures.length > 0) throw new AggregateError(failures, "after-file cleanup failed");
}
