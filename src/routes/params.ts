// Path parameter schemas shared by route files.
import { z } from "zod";

/** A serial id in a path: a positive int4, so an out-of-range id is a 400 and never reaches the database. */
export const idParam = z.coerce
	.number()
	.int()
	.positive()
	.max(2 ** 31 - 1);
