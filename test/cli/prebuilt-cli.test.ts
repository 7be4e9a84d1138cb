import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * bin/baton.js runs `baton mine`, and the other client commands, from the bundles `npm install`
 * builds (scripts/build-cli.ts) only while every file that went into them is as it was at the
 * build; an edited source must never be shadowed by an old build, and the server commands always
 * run the source. Checked on a copy of bin/baton.js in a scratch tree whose bundles and sources
 * each say which one ran.
 */

const root = join(import.meta.dirname, "../..");
let tree: string;

function run(args = ["mine", "--json"]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(tree, "bin/baton.js"), ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(stdout)),
    );
  });
}

async function record(files: string[], bundle = "dist/cli"): Promise<void> {
  const inputs = await Promise.all(
    files.map(async (file) => {
      const s = await stat(join(tree, file));
      return { file, size: s.size, mtimeMs: s.mtimeMs };
    }),
  );
  await writeFile(join(tree, bundle, "inputs.json"), JSON.stringify(inputs));
}

beforeAll(async () => {
  tree = await mkdtemp(join(tmpdir(), "baton-prebuilt-"));
  await mkdir(join(tree, "bin"));
  await mkdir(join(tree, "dist/cli/client"), { recursive: true });
  await mkdir(join(tree, "src/cli"), { recursive: true });
  await cp(join(root, "bin/baton.js"), join(tree, "bin/baton.js"));
  await cp(join(root, "bin/bundle-state.js"), join(tree, "bin/bundle-state.js"));
  await cp(join(root, "package.json"), join(tree, "package.json"));
  // The source path loads tsx from the tree's node_modules.
  await symlink(join(root, "node_modules"), join(tree, "node_modules"), "dir");
  await writeFile(join(tree, "dist/cli/mine.mjs"), 'console.log("bundle");\n');
  await writeFile(
    join(tree, "src/cli/mine-main.ts"),
    'const from: string = "source";\nconsole.log(from);\n',
  );
  await writeFile(join(tree, "dist/cli/client/main.mjs"), 'console.log("client bundle");\n');
  await writeFile(
    join(tree, "src/cli/main.ts"),
    'const from: string = "client source";\nconsole.log(from);\n',
  );
  await writeFile(join(tree, "package-lock.json"), "{}\n");
  await record(["src/cli/mine-main.ts", "package-lock.json"]);
  await record(["src/cli/main.ts", "package-lock.json"], "dist/cli/client");
});

afterAll(async () => {
  await rm(tree, { recursive: true, force: true });
});

describe("the prebuilt baton command", { timeout: 60_000 }, () => {
  it("runs the client commands from their bundle, the server commands from the source", async () => {
    expect((await run(["item", "list"])).trim()).toBe("client bundle");
    expect((await run(["--url", "http://localhost:1", "queue"])).trim()).toBe("client bundle");
    expect((await run(["--help"])).trim()).toBe("client bundle");
    expect((await run(["serve"])).trim()).toBe("client source");
    expect((await run(["--token", "t", "migrate"])).trim()).toBe("client source");
    expect((await run(["admin", "token"])).trim()).toBe("client source");
    const later = new Date(Date.now() + 5_000);
    await utimes(join(tree, "src/cli/main.ts"), later, later);
    expect((await run(["item", "list"])).trim()).toBe("client source");
    await record(["src/cli/main.ts", "package-lock.json"], "dist/cli/client");
    // A bundle gone while its inputs.json still reads current (a rebuild under way): the source.
    await rm(join(tree, "dist/cli/client/main.mjs"));
    expect(await run(["item", "list"])).toBe("client source\n");
    await writeFile(join(tree, "dist/cli/client/main.mjs"), 'console.log("client bundle");\n');
  });

  it("runs while its sources are as they were built", async () => {
    expect((await run()).trim()).toBe("bundle");
  });

  it("gives way to the source once a source file changes, even to the same size", async () => {
    const later = new Date(Date.now() + 5_000);
    await utimes(join(tree, "src/cli/mine-main.ts"), later, later);
    expect((await run()).trim()).toBe("source");
    await record(["src/cli/mine-main.ts", "package-lock.json"]);
    expect((await run()).trim()).toBe("bundle");
  });

  it("gives way to the source when the dependencies change or the build is incomplete", async () => {
    await writeFile(join(tree, "package-lock.json"), '{"lockfileVersion": 3}\n');
    expect((await run()).trim()).toBe("source");
    await record(["src/cli/mine-main.ts", "package-lock.json"]);
    await rm(join(tree, "dist/cli/inputs.json"));
    expect((await run()).trim()).toBe("source");
  });
});
