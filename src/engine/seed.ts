import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Principal, Role } from "./directory.ts";
import type { Engine } from "./engine.ts";

/** The examples shipped with Baton: teams, users and workflows a newcomer can try at once. */
export const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples");

interface DemoFile {
  teams: { key: string; name: string }[];
  users: { email: string; name: string; teams: { key: string; role: Role }[] }[];
  workflows: string[];
}

/** The password of every demo user, for the web app's sign-in. */
export const DEMO_PASSWORD = "baton-demo";

/**
 * Loads the demo into an empty database. Returns one API token per demo user (shown once).
 */
export async function seedDemo(
  engine: Engine,
  admin: Principal,
): Promise<{ email: string; name: string; token: string }[]> {
  const demo = JSON.parse(await readFile(join(examplesDir, "demo.json"), "utf8")) as DemoFile;
  for (const t of demo.teams) await engine.directory.createTeam(admin, t);
  const tokens = [];
  for (const u of demo.users) {
    await engine.directory.createUser(admin, { ...u, isAdmin: false, password: DEMO_PASSWORD });
    tokens.push({
      email: u.email,
      name: u.name,
      token: await engine.directory.createToken("system", u.email, "demo"),
    });
  }
  for (const file of demo.workflows) {
    const source = await readFile(join(examplesDir, file), "utf8");
    const key = /^key:\s*(\S+)/m.exec(source)?.[1] ?? file.replace(/\.ya?ml$/, "");
    await engine.workflows.publish(admin, key, { source, format: "yaml" });
  }
  return tokens;
}
