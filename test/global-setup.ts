import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate, openDb } from "../src/store/db.ts";
import { type EmbeddedDb, startEmbedded } from "../src/store/embedded.ts";
import { type DbKind, withDatabase } from "./db.ts";

/*
 * Once per run: a migrated template database on the PostgreSQL server (DATABASE_URL, default
 * the local one) and on an embedded PostgreSQL started for the run. Each test file clones its
 * own database from a template, which takes milliseconds and isolates files from each other.
 */

const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function makeTemplate(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const db = openDb(withDatabase(adminUrl, name), { max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject) {
  const template = `baton_tpl_${process.pid}`;
  const dir = await mkdtemp(join(tmpdir(), "baton-test-"));
  let embedded: EmbeddedDb | undefined;
  try {
    embedded = await startEmbedded({ dataDir: dir });
    await Promise.all([makeTemplate(serverUrl, template), makeTemplate(embedded.url, template)]);
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
  const kinds: DbKind[] = [
    { name: "postgres-server", adminUrl: serverUrl, template },
    { name: "embedded", adminUrl: embedded.url, template },
  ];
  project.provide("databases", kinds);
  return async () => {
    await Promise.allSettled(kinds.map((k) => dropDatabase(k.adminUrl, template)));
    await embedded?.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databases: DbKind[];
  }
}
