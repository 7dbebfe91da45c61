// Vitest setup file, run in every test file: wires the after-file cleanups registered by helpers.
import { afterAll } from "vitest";
import { runAfterFileTasks } from "./after-file.js";

afterAll(runAfterFileTasks);

import "./matchers.js";
