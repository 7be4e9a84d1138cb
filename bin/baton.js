#!/usr/bin/env node
// The `baton` command. Baton ships as TypeScript and runs through tsx's loader, so there is no
// build step between a clone and a running server.
import { register } from "tsx/esm/api";

register();
// `baton mine FILE` reads a local file and is timed against scripts that start in 50 ms: it
// loads only its own command, not the API client and the other twelve command modules.
if (process.argv[2] === "mine") await import("../src/cli/mine-main.ts");
else await import("../src/cli/main.ts");
