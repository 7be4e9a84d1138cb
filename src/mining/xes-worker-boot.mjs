// Starts the XES reader's worker thread (xes-worker.ts) when Baton runs from its TypeScript
// source: a worker does not inherit the loader of the thread that made it, so it registers tsx
// first. The prebuilt `baton mine` bundle starts its own bundled worker instead.
import { register } from "tsx/esm/api";

register();
await import("./xes-worker.ts");
