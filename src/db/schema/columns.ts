// Column builders shared by every table: identity ids and timestamptz audit columns.
import { integer, timestamp } from "drizzle-orm/pg-core";

/** Integer identity primary key: short ids in URLs, plain numbers for zod coercion. */
export const id = () => integer("id").primaryKey().generatedAlwaysAsIdentity();

/** Every point in time is a `timestamptz`, read as a JS `Date`. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const createdAt = () => timestamptz("created_at").notNull().defaultNow();

/** Set by the database on insert and by Drizzle on every update made through the query builder. */
export const updatedAt = () =>
	timestamptz("updated_at")
		.notNull()
		.defaultNow()
		.$onUpdate(() => new Date());
