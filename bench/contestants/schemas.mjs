// The zod schemas of scenario 2, shared by the node:http and Fastify contestants (the app declares the same in src/routes/bench).
import { z } from "zod";

export const userParams = z.object({ id: z.coerce.number() });
export const userBody = z.object({ name: z.string().min(2), age: z.number().int() });
