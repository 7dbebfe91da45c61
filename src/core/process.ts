// Processes: named, reusable sub-pipelines with their own floor (e.g. "authenticated"), used by routes.
import type { Contract } from "./contracts.js";
import { DeclarationError } from "./errors.js";
import { PipelineBuilder, type Start } from "./route-builder.js";
import type { Process, ProcessDefinition } from "./route-definition.js";

export type ProcessStart<Input, Opts extends object> = Start<
	{ input: Input; options: Opts },
	{ kind: "process"; input: Input; options: Opts }
> & {
	/** Default options; the floor holds the merged options under `options`. */
	options<O extends object>(defaults: O): ProcessStart<Input, O>;
	/** Declares the type of the input routes must give; the floor holds it under `input`. */
	input<I>(): ProcessStart<I, Opts>;
	/**
	 * Runs the process at most once per request: when a route and a process it uses both use this
	 * one (`authenticated` in the route and inside `userHasRight`), later uses reuse the first
	 * run's floor. Only for processes without input whose result does not depend on their options.
	 */
	oncePerRequest(): ProcessStart<Input, Opts>;
};

/**
 * Declares a process. Its floor starts with `input` and `options`; `build(keys)` lists the keys
 * routes may pick up, and the contracts the process may send (e.g. 401 of an authentication process).
 */
export function createProcess(name: string): ProcessStart<undefined, object> {
	if (name === "") throw new DeclarationError("createProcess needs a name.");
	const builder = new PipelineBuilder(`process ${name}`, {
		build: (pipeline, exports, responses: Contract[], settings): ProcessDefinition => ({
			kind: "process",
			name,
			defaultOptions: settings.options,
			pipeline,
			exports,
			responses,
			oncePerRequest: settings.oncePerRequest,
		}),
	});
	return builder as unknown as ProcessStart<undefined, object>;
}

export type { Process };
