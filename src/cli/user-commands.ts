import { type Command, InvalidArgumentError } from "commander";
import { cliOf, seg, type UserJson } from "./client.ts";
import { emit, say, table } from "./output.ts";

/* `baton user create|list|token`: people, their teams and their API tokens. */

type Membership = { key: string; role: "member" | "lead" };

/** `sales` → member of sales; `sales:lead` → lead of sales. */
function parseMembership(value: string, previous: Membership[] = []): Membership[] {
  const [key = "", role = "member", ...rest] = value.split(":");
  if (!key || rest.length > 0 || (role !== "member" && role !== "lead"))
    throw new InvalidArgumentError("Give KEY, KEY:lead or KEY:member.");
  return [...previous, { key, role }];
}

function describeTeams(teams: Membership[]): string {
  return teams.map((t) => (t.role === "lead" ? `${t.key} (lead)` : t.key)).join(", ");
}

/** Registers `user create`, `user list` and `user token`. */
export function registerUserCommands(program: Command): void {
  const user = program.command("user").description("create users and issue their API tokens");

  user
    .command("create")
    .description("create a user (admin)")
    .argument("<email>", "the user's e-mail address, which is also their login")
    .requiredOption("--name <name>", "display name")
    .option(
      "--team <key[:lead]>",
      "a team the user belongs to; add :lead for a lead (repeat for several)",
      parseMembership,
    )
    .option("--admin", "make the user an admin")
    .action(
      async (
        email: string,
        flags: { name: string; team?: Membership[]; admin?: boolean },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const created = await cli.api.post<UserJson>("/users", {
          email,
          name: flags.name,
          teams: flags.team ?? [],
          admin: flags.admin === true,
        });
        emit(cli, created, (u) => {
          const teams = u.teams.length > 0 ? ` in ${describeTeams(u.teams)}` : " in no team";
          say(`Created ${u.admin ? "admin" : "user"} ${u.email} (${u.name})${teams}.`);
          say(`Issue a token for them: baton user token ${u.email}`);
        });
      },
    );

  user
    .command("list")
    .description("list users and their teams")
    .action(async (_flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ users: UserJson[] }>("/users");
      emit(cli, body, ({ users }) =>
        say(
          table(
            ["email", "name", "teams", "admin"],
            users.map((u) => [u.email, u.name, describeTeams(u.teams), u.admin ? "yes" : ""]),
          ),
        ),
      );
    });

  user
    .command("token")
    .description("issue an API token (admin, or for yourself); it is shown only once")
    .argument("<email>", "whose token")
    .option("--label <label>", "a name that says where the token is used", "cli")
    .action(async (email: string, flags: { label: string }, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.post<{ token: string }>(`/users/${seg(email)}/tokens`, {
        name: flags.label,
      });
      // Only the token on stdout, so `export BATON_TOKEN=$(baton user token …)` works.
      emit(cli, body, ({ token }) => say(token));
    });
}
