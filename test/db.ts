import { randomBytes } from "node:crypto";
import pg from "pg";

/** A PostgreSQL the integration tests run on, with a migrated template database. */
export interface DbKind {
  name: "postgres-server" | "embedded";
  adminUrl: string;
  template: string;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Clones the template into a fresh database for one test file; `drop` removes it. */
export async function createTestDatabase(
  kind: DbKind,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `baton_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client(kind.adminUrl);
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${kind.template}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(kind.adminUrl, name),
    drop: async () => {
      const c = new pg.Client(kind.adminUrl);
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
