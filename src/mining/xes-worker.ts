import { parentPort, workerData } from "node:worker_threads";
import type { SlotMapping } from "./raw-event.ts";
import { utf8Text } from "./utf8.ts";
import { readSlice } from "./xes-slice.ts";

/* A worker thread of the parallel XES reader (xes-parallel.ts): reads the slices it is sent. */

const mapping = (workerData as { mapping: SlotMapping }).mapping;
const port = parentPort;
if (port === null) throw new Error("xes-worker.ts runs as a worker thread");

// Code loaded: slices may come (until then the reading thread reads them itself).
port.postMessage("ready");
port.on("message", (m: { id: number; buffer: ArrayBuffer; length: number }) => {
  const bytes = new Uint8Array(m.buffer, 0, m.length);
  const result = readSlice(mapping, utf8Text(bytes));
  // The columns move to the reading thread instead of being copied, and the bytes move back:
  // it reads them itself if the slice was not a run of whole traces.
  const columns = [result.fields, result.time, result.line, result.trace, result.ends, bytes];
  port.postMessage(
    { id: m.id, result, bytes },
    columns.map((c) => c.buffer as ArrayBuffer),
  );
});
