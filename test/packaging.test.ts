import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

/*
 * What a newcomer's `npm ci` and `npm start` rely on: the lock file agrees with package.json,
 * every package the code imports is declared, and `engines` tells the truth about the Node.js
 * versions the locked dependencies accept.
 */

const root = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const lockedPackages = Object.entries(lock.packages as Record<string, any>).filter(
  ([path]) => path !== "",
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

describe("packaging", () => {
  it("declares every package the code imports", () => {
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.devDependencies ?? {}),
    ]);
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    const dirs = ["src", "test", "bench", "bin", "scripts", "e2e", "web"];
    const files = [
      ...dirs.flatMap((d) => sourceFiles(join(root, d))),
      join(root, "vitest.config.ts"),
    ];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const specifiers = [
        ...text.matchAll(/^\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/gm),
        ...text.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
        ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1] as string);
      for (const spec of specifiers) {
        if (spec.startsWith(".") || spec.startsWith("/")) continue;
        if (spec.startsWith("node:") || builtins.has(spec)) continue;
        const name = packageOf(spec);
        if (!declared.has(name)) missing.add(`${name} (${file.slice(root.length + 1)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it("locks every declared package, optional platform builds included, so npm ci works", () => {
    const top = lock.packages[""];
    expect(top.dependencies).toEqual(pkg.dependencies);
    expect(top.devDependencies).toEqual(pkg.devDependencies);
    const locked = new Set(lockedPackages.map(([path]) => path));
    const missing: string[] = [];
    for (const [path, entry] of lockedPackages) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        // npm hoists a package's dependency to the top unless versions clash.
        const nested = `${path}/node_modules/${name}`;
        if (!locked.has(nested) && !locked.has(`node_modules/${name}`)) missing.push(name);
      }
    }
    expect(missing).toEqual([]);
  });

  it("asks for a Node.js that every locked dependency accepts", () => {
    const oldest = semver.minVersion(pkg.engines.node);
    expect(oldest).not.toBeNull();
    const refusing = lockedPackages
      .filter(([, entry]) => typeof entry.engines?.node === "string")
      .filter(([, entry]) => !semver.satisfies(oldest as semver.SemVer, entry.engines.node))
      .map(([path, entry]) => `${path}@${entry.version} needs node ${entry.engines.node}`);
    expect(refusing).toEqual([]);
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });
});
