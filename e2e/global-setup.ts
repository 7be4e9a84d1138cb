import pg from "pg";
import type { TestProject } from "vitest/node";
import { buildWeb } from "../scripts/build-web.ts";
import { migrate, openDb } from "../src/store/db.ts";
import { type DbKind, withDatabase } from "../test/db.ts";

/*
 * Once per browser run: build the web app if its sources changed since the last build (the
 * suite must test the current code, and `npm install` already built it in CI), and make a
 * migrated template database on the PostgreSQL server, which each test file clones (as the
 * integration suite does, under its own name so the two projects never share a template).
 */

const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

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
  buildWeb();
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
