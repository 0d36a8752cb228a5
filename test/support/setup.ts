/**
 * Set up for every test file (vitest.config.ts, setupFiles). Registered first, this afterAll
 * runs last, after the file's own (which stop the clusters and servers writing into scratch
 * directories), and also when tests failed.
 */
import { afterAll } from "vitest";
import { removeTempDirs } from "./temp.js";

afterAll(removeTempDirs);
