/**
 * Set up for every test file (vitest.config.ts, setupFiles). Registered first, this afterAll
 * runs last, after the file's own (which stop the clusters and servers writing into scratch
 * directories), and also when tests failed.
 *
 * The tests choose their cluster themselves: run in a pod, they must not see the pod's service
 * account (a `ko` with no kubeconfig would use it rather than the embedded cluster). The `ko`
 * processes they start inherit this environment.
 */
import { afterAll } from "vitest";
import { removeTempDirs } from "./temp.js";

delete process.env.KUBERNETES_SERVICE_HOST;
delete process.env.KUBERNETES_SERVICE_PORT;

afterAll(removeTempDirs);
