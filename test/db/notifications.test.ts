// LISTEN/NOTIFY through src/db/notifications.ts on the tested engine: delivered at commit, never for a rollback.
import { beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/index.js";
import { listen, notify } from "../../src/db/notifications.js";
import { getTestDatabaseHandle } from "../helpers/database.js";

let handle: DatabaseHandle;
beforeAll(async () => {
	handle = await getTestDatabaseHandle();
});

/** Collects what `channel` receives; `settle` gives a notification time to arrive. */
async function collect(channel: string) {
	const received: string[] = [];
	const stop = await listen(handle, channel, (payload) => received.push(payload));
	return { received, stop, settle: () => new Promise((resolve) => setTimeout(resolve, 200)) };
}

describe("notify and listen", () => {
	it("delivers a payload sent outside a transaction", async () => {
		const channel = await collect("test_plain");
		await notify(handle.db, "test_plain", "hello");
		await channel.settle();
		await channel.stop();
		expect(channel.received).toEqual(["hello"]);
	});

	it("delivers what a transaction sent only when it commits", async () => {
		const channel = await collect("test_transactions");
		await handle.db.transaction(async (tx) => {
			await notify(tx, "test_transactions", "committed");
		});
		await expect(
			handle.db.transaction(async (tx) => {
				await notify(tx, "test_transactions", "rolled back");
				throw new Error("roll back");
			}),
		).rejects.toThrow("roll back");
		await channel.settle();
		await channel.stop();
		expect(channel.received).toEqual(["committed"]);
	});

	it("stops delivering once unlistened", async () => {
		const channel = await collect("test_unlisten");
		await channel.stop();
		await notify(handle.db, "test_unlisten", "late");
		await channel.settle();
		expect(channel.received).toEqual([]);
	});

	it("refuses a channel name that is not a plain identifier, and a payload over 7,900 bytes", async () => {
		await expect(notify(handle.db, "bad channel; drop table users", "")).rejects.toThrow(TypeError);
		await expect(listen(handle, "Upper", () => {})).rejects.toThrow(/not a valid notification channel/);
		await expect(notify(handle.db, "test_big", "x".repeat(7_901))).rejects.toThrow(RangeError);
		await expect(notify(handle.db, "test_big", "é".repeat(3_951))).rejects.toThrow(RangeError);
	});
});
