import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate, openDb } from "../src/store/db.ts";
import { type DbKind, withDatabase } from "../test/db.ts";

/*
 * Once per browser run: build the web app if its sources changed since the last build (the
 * suite must test the current code, and `npm install` already built it in CI), and make a
 * migrated template database on the PostgreSQL server, which each test file clones (as the
 * integration suite does, under its own name so the two projects never share a template).
 */

const root = resolve(import.meta.dirname, "..");
const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

function buildWebIfStale(): void {
  const web = join(root, "web");
  let built = 0;
  try {
    built = statSync(join(web, "dist", "index.html")).mtimeMs;
  } catch {
    // never built
  }
  const sources = Math.max(
    newestMtime(join(web, "src")),
    newestMtime(join(web, "index.html")),
    newestMtime(join(web, "vite.config.ts")),
    newestMtime(join(root, "package-lock.json")),
  );
  if (built >= sources) return;
  execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], {
    cwd: root,
    stdio: "inherit",
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: "production" },
  });
}

async function query(url: string, sql: string): Promise<void> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export default async function setup(project: TestProject) {
  buildWebIfStale();
  // One per e2e project (the timed file has a project of its own) and per run.
  const template = `baton_${project.name.replace(/\W/g, "_")}_tpl_${process.pid}`;
  await query(serverUrl, `drop database if exists ${template}`);
  await query(serverUrl, `create database ${template}`);
  const db = openDb(withDatabase(serverUrl, template), { max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
  const kinds: DbKind[] = [{ name: "postgres-server", adminUrl: serverUrl, template }];
  project.provide("databases", kinds);
  return async () => {
    await query(serverUrl, `drop database if exists ${template} with (force)`);
  };
}
