// The floor: the per-request store where steps drop values and later steps pick them up by key.

/** Reads a value an earlier step dropped; only keys that earlier steps declared type-check. */
export type Pickup<F> = <K extends keyof F>(key: K) => F[K];

export interface Floor<F> {
	pickup: Pickup<F>;
	/** Drops a value for later steps (cuts and handlers usually return values instead). */
	drop: (key: string, value: unknown) => void;
}

/** The untyped floor the executor works with. */
export interface RuntimeFloor {
	pickup: (key: string) => unknown;
	drop: (key: string, value: unknown) => void;
}

export function createFloor(): RuntimeFloor {
	const values: Record<string, unknown> = {};
	return {
		pickup: (key) => values[key],
		drop: (key, value) => {
			values[key] = value;
		},
	};
}
