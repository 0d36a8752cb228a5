/**
 * The diagnostics worker: analyses packages on a thread of its own, so that re-analysing a large
 * file after each keystroke never holds up completion or hover on the main thread. It keeps its
 * own copy of the open buffers (sent with each request, when changed) and answers with the plain
 * diagnostics report (service/report.ts). See diagnostics.ts for the main thread's side.
 */
import { parentPort, workerData } from "node:worker_threads";
import { heapUsed, type MemoryRequest, type MemoryResponse, type WorkerRequest, type WorkerResponse } from "./diagnostics.js";
import { reportOf } from "../service/report.js";
import { Workspace, type WorkspaceOptions } from "../service/workspace.js";

const workspace = new Workspace(workerData as WorkspaceOptions);

parentPort?.on("message", (request: WorkerRequest | MemoryRequest) => {
  if ("memory" in request) {
    parentPort!.postMessage({ memory: request.memory, heapUsed: heapUsed() } satisfies MemoryResponse);
    return;
  }
  for (const b of request.buffers) workspace.open(b.file, b.text, b.version);
  for (const f of request.closed) workspace.close(f);
  if (request.diskChanged) workspace.diskChanged();
  let response: WorkerResponse;
  try {
    response = { id: request.id, file: request.file, report: reportOf(workspace.analysisFor(request.file)) };
  } catch (e) {
    response = { id: request.id, file: request.file, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  // The analysis is not needed once reported: the next request analyses afresh anyway, reusing
  // only the workspace's parses of the definitions the edits since did not touch.
  workspace.forgetAnalyses();
  parentPort!.postMessage(response);
});
