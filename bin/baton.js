#!/usr/bin/env node
// The `baton` command. Baton ships as TypeScript and runs through tsx's loader, so there is no
// build step between a clone and a running server.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
