// The storage of an app built without one (tests of other features): every use is a StorageUnavailableError, so
// upload and download routes answer 503 and nothing is written anywhere by surprise.
import { type ObjectStorage, StorageUnavailableError } from "../storage/index.js";

export function unconfiguredStorage(): ObjectStorage {
	const refuse = (operation: string): never => {
		throw new StorageUnavailableError("filesystem", "no storage configured", operation);
	};
	return {
		driver: "filesystem",
		put: async () => refuse("put"),
		get: async () => refuse("get"),
		exists: async () => refuse("exists"),
		delete: async () => refuse("delete"),
		// biome-ignore lint/correctness/useYield: it refuses before yielding anything.
		list: async function* () {
			refuse("list");
		},
		signedUrl: async () => refuse("signedUrl"),
		close: async () => undefined,
	};
}
