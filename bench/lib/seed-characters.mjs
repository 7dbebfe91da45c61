// Seeds the database of scenario 3 (PGLITE_DIR or DATABASE_URL from the environment): migrations, reference data,
// 100 users with one game account and 100 characters each (10,000 characters); the first user is the bench user.
import { sql } from "drizzle-orm";
import { schema, startDatabase } from "../../dist/db/index.js";
import { hashPassword } from "../../dist/services/passwords.js";
import { benchUser } from "../scenarios.mjs";

const users = 100;
const charactersPerUser = 100;

const handle = await startDatabase({
	DATABASE_URL: process.env.DATABASE_URL || undefined,
	DATABASE_POOL_SIZE: 2,
	PGLITE_DIR: process.env.PGLITE_DIR ?? "memory://",
});
try {
	const db = handle.db;
	const [existing] = await db
		.select({ id: schema.users.id })
		.from(schema.users)
		.where(sql`${schema.users.email} = ${benchUser.email}`);
	if (existing !== undefined) {
		process.stdout.write("bench data already seeded\n");
	} else {
		const classIds = (await db.select({ id: schema.classes.id }).from(schema.classes)).map((row) => row.id);
		const serverIds = (await db.select({ id: schema.servers.id }).from(schema.servers)).map((row) => row.id);
		// One hash for every user: scrypt is slow on purpose, and only the bench user logs in.
		const passwordHash = await hashPassword(benchUser.password);
		await db.transaction(async (tx) => {
			for (let u = 0; u < users; u++) {
				const email = u === 0 ? benchUser.email : `bench-${u}@dofus-manager.local`;
				const [user] = await tx
					.insert(schema.users)
					.values({ email, passwordHash, displayName: `Bench ${u}` })
					.returning({ id: schema.users.id });
				const [account] = await tx
					.insert(schema.gameAccounts)
					.values({ userId: user.id, name: `bench-${u}` })
					.returning({ id: schema.gameAccounts.id });
				const rows = [];
				for (let c = 0; c < charactersPerUser; c++) {
					const n = u * charactersPerUser + c;
					rows.push({
						accountId: account.id,
						name: `Bench-${n}`,
						level: 1 + (n % 200),
						classId: classIds[n % classIds.length],
						serverId: serverIds[n % serverIds.length],
					});
				}
				await tx.insert(schema.characters).values(rows);
			}
		});
		process.stdout.write(`seeded ${users * charactersPerUser} characters for ${users} users\n`);
	}
} finally {
	await handle.close();
}
