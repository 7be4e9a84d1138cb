import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Collapse,
  Divider,
  Group,
  Modal,
  MultiSelect,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCalendarTime } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client.ts";
import { keys, useTeams, useUsers } from "../../api/queries.ts";
import type { Role, Team, User } from "../../api/types.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";
import { TableHead } from "../../components/table-head.tsx";
import { useMe } from "../auth/session.ts";
import { CalendarEditor } from "../calendar/calendar-editor.tsx";
import { CalendarSummary } from "../calendar/calendar-summary.tsx";

/*
 * Admin: teams with their members, leads and calendars; people, their teams and roles; tokens
 * for others. Everything here calls the same API the CLI uses; non-admins get a page that says
 * so (a team's leads edit its calendar from the team's calendar page).
 */

const roleOptions = [
  { value: "member", label: "Member" },
  { value: "lead", label: "Lead" },
];

function useRefresh() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: keys.teams });
    void qc.invalidateQueries({ queryKey: keys.users });
  };
}

function setUserTeams(email: string, teams: { key: string; role: Role }[]) {
  return api<User>(`/users/${encodeURIComponent(email)}/teams`, {
    method: "PUT",
    body: { teams },
  });
}

function CreateTeam() {
  const refresh = useRefresh();
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => api<Team>("/teams", { method: "POST", body: { key, name } }),
    onSuccess: () => {
      setKey("");
      setName("");
      refresh();
    },
  });
  const keyError =
    key && !/^[a-z][a-z0-9_-]{0,62}$/.test(key)
      ? "Lower case letters, digits, - or _, starting with a letter"
      : null;
  return (
    <Paper withBorder p="md" radius="md">
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          if (key && name.trim() && !keyError) create.mutate();
        }}
        aria-label="Create a team"
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            Create a team
          </Title>
          <Group align="flex-start" wrap="wrap">
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setName(v);
                if (!key || key === slug(name)) setKey(slug(v));
              }}
              required
              w={220}
            />
            <TextInput
              label="Key"
              description="Used in workflows (team: key)"
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={keyError}
              required
              w={220}
            />
          </Group>
          <ProblemAlert error={create.error} />
          <Group>
            <Button
              type="submit"
              loading={create.isPending}
              disabled={!key || !name.trim() || !!keyError}
            >
              Create team
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "")
    .slice(0, 63);

function AddMember({ team, users }: { team: Team; users: User[] }) {
  const refresh = useRefresh();
  const [email, setEmail] = useState<string | null>(null);
  const [role, setRole] = useState<Role>("member");
  const candidates = users.filter((u) => !team.members.some((m) => m.email === u.email));
  const add = useMutation({
    mutationFn: () => {
      const user = users.find((u) => u.email === email);
      if (!user) throw new Error("Choose a person");
      return setUserTeams(user.email, [...user.teams, { key: team.key, role }]);
    },
    onSuccess: () => {
      setEmail(null);
      refresh();
    },
  });
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="wrap" align="flex-end">
        <Select
          size="xs"
          label={`Add to ${team.name}`}
          placeholder="Person…"
          data={candidates.map((u) => ({ value: u.email, label: u.name }))}
          value={email}
          onChange={setEmail}
          searchable
          w={180}
        />
        <Select
          size="xs"
          label="Role"
          data={roleOptions}
          value={role}
          onChange={(v) => setRole((v as Role) ?? "member")}
          allowDeselect={false}
          w={110}
        />
        <Button
          size="xs"
          variant="light"
          disabled={!email}
          loading={add.isPending}
          onClick={() => add.mutate()}
        >
          Add
        </Button>
      </Group>
      <ProblemAlert error={add.error} onClose={add.reset} />
    </Stack>
  );
}

/** A team's calendar in its card: the week in a line, and the editor on demand. */
function TeamCalendar({ team }: { team: Team }) {
  const [open, setOpen] = useState(false);
  const panel = `calendar-${team.key}`;
  return (
    <Stack gap="xs">
      <Group gap="xs" justify="space-between" wrap="wrap">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          <IconCalendarTime size={16} aria-hidden />
          <Text size="sm" fw={600}>
            Calendar:
          </Text>
          <CalendarSummary team={team.key} />
        </Group>
        <Button
          size="compact-sm"
          variant="light"
          aria-expanded={open}
          aria-controls={panel}
          aria-label={`${open ? "Close" : "Edit"} calendar of ${team.name}`}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? "Close calendar" : "Edit calendar"}
        </Button>
      </Group>
      <Collapse expanded={open} id={panel}>
        {open && (
          <Paper withBorder p="md" radius="md" bg="var(--mantine-color-default-hover)">
            <CalendarEditor team={team.key} teamName={team.name} canEdit />
          </Paper>
        )}
      </Collapse>
    </Stack>
  );
}

function TeamsTab({ teams, users }: { teams: Team[]; users: User[] }) {
  const refresh = useRefresh();
  const change = useMutation({
    mutationFn: ({ email, teams }: { email: string; teams: { key: string; role: Role }[] }) =>
      setUserTeams(email, teams),
    onSuccess: refresh,
  });
  const teamsOf = (email: string) => users.find((u) => u.email === email)?.teams ?? [];
  const remove = (team: string, email: string) =>
    change.mutate({ email, teams: teamsOf(email).filter((t) => t.key !== team) });
  const setRole = (team: Team, member: Team["members"][number], role: Role) =>
    change.mutate(
      {
        email: member.email,
        teams: teamsOf(member.email).map((t) => (t.key === team.key ? { ...t, role } : t)),
      },
      {
        onSuccess: () =>
          notifications.show({
            message: `${member.name} is now ${role === "lead" ? "a lead" : "a member"} of ${team.name}.`,
            color: "green",
          }),
      },
    );
  return (
    <Stack>
      <CreateTeam />
      <ProblemAlert error={change.error} onClose={change.reset} />
      {teams.length === 0 ? (
        <Empty title="No teams yet">
          Teams own the steps of workflows. Create one above, then add people to it.
        </Empty>
      ) : (
        teams.map((t) => (
          <Paper key={t.key} withBorder p="md" radius="md" component="section" aria-label={t.name}>
            <Group justify="space-between" mb="xs">
              <Group gap="xs">
                <Title order={2} size="h4">
                  {t.name}
                </Title>
                <Code>{t.key}</Code>
              </Group>
              <Button component={Link} to={`/teams/${t.key}`} size="xs" variant="subtle">
                Open queue
              </Button>
            </Group>
            {t.members.length === 0 ? (
              <Text size="sm" c="dimmed" mb="xs">
                No members yet: nobody can act on this team's steps.
              </Text>
            ) : (
              <Table mb="xs" aria-label={`Members of ${t.name}`}>
                <TableHead columns={["Name", "E-mail", "Role"]} />
                <Table.Tbody>
                  {t.members.map((m) => (
                    <Table.Tr key={m.email}>
                      <Table.Td>{m.name}</Table.Td>
                      <Table.Td>{m.email}</Table.Td>
                      <Table.Td>
                        <Select
                          size="xs"
                          w={110}
                          aria-label={`Role of ${m.name} in ${t.name}`}
                          data={roleOptions}
                          value={m.role}
                          allowDeselect={false}
                          disabled={change.isPending}
                          onChange={(v) => v && v !== m.role && setRole(t, m, v as Role)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => remove(t.key, m.email)}
                          aria-label={`Remove ${m.name} from ${t.name}`}
                        >
                          Remove
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            <AddMember team={t} users={users} />
            <Divider my="sm" />
            <TeamCalendar team={t} />
          </Paper>
        ))
      )}
    </Stack>
  );
}

/** A person's teams and role in each, changed together (`PUT /users/{email}/teams`). */
function UserTeamsDialog({
  user,
  teams,
  onClose,
}: {
  user: User;
  teams: Team[];
  onClose: () => void;
}) {
  const refresh = useRefresh();
  const [roles, setRoles] = useState<Record<string, Role | null>>(() =>
    Object.fromEntries(
      teams.map((t) => [t.key, user.teams.find((m) => m.key === t.key)?.role ?? null]),
    ),
  );
  const save = useMutation({
    mutationFn: () =>
      setUserTeams(
        user.email,
        teams.flatMap((t) => {
          const role = roles[t.key];
          return role ? [{ key: t.key, role }] : [];
        }),
      ),
    onSuccess: () => {
      refresh();
      notifications.show({ message: `Teams of ${user.name} saved.`, color: "green" });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Teams of ${user.name}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            Members act on their teams' work; leads also change the team's calendar and receive its
            escalations.
          </Text>
          <Table verticalSpacing={4}>
            <Table.Tbody>
              {teams.map((t) => {
                const role = roles[t.key] ?? null;
                return (
                  <Table.Tr key={t.key}>
                    <Table.Td>
                      <Checkbox
                        label={t.name}
                        checked={role !== null}
                        onChange={(e) => {
                          const on = e.currentTarget.checked;
                          setRoles((r) => ({ ...r, [t.key]: on ? (r[t.key] ?? "member") : null }));
                        }}
                      />
                    </Table.Td>
                    <Table.Td w={130}>
                      {role !== null && (
                        <Select
                          size="xs"
                          aria-label={`Role in ${t.name}`}
                          data={roleOptions}
                          value={role}
                          allowDeselect={false}
                          onChange={(v) => v && setRoles((r) => ({ ...r, [t.key]: v as Role }))}
                        />
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          <ProblemAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Back
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save teams
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function CreateUser({ teams }: { teams: Team[] }) {
  const refresh = useRefresh();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [memberOf, setMemberOf] = useState<string[]>([]);
  const [admin, setAdmin] = useState(false);
  const [password, setPassword] = useState("");
  const create = useMutation({
    mutationFn: () =>
      api<User>("/users", {
        method: "POST",
        body: {
          email: email.trim(),
          name: name.trim(),
          teams: memberOf,
          admin,
          ...(password ? { password } : {}),
        },
      }),
    onSuccess: () => {
      setEmail("");
      setName("");
      setMemberOf([]);
      setAdmin(false);
      setPassword("");
      refresh();
    },
  });
  const passwordError =
    password && password.length < 8 ? "At least 8 characters, or leave empty" : null;
  return (
    <Paper withBorder p="md" radius="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (email.trim() && name.trim()) create.mutate();
        }}
        aria-label="Add a person"
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            Add a person
          </Title>
          <Group align="flex-start" wrap="wrap">
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={200}
            />
            <TextInput
              label="E-mail"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              w={240}
            />
            <PasswordInput
              label="Password"
              description="For web sign-in; optional"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={passwordError}
              autoComplete="new-password"
              w={220}
            />
            <MultiSelect
              label="Teams"
              data={teams.map((t) => ({ value: t.key, label: t.name }))}
              value={memberOf}
              onChange={setMemberOf}
              searchable
              w={260}
            />
          </Group>
          <Checkbox
            label="Admin (can manage teams, people and workflows)"
            checked={admin}
            onChange={(e) => setAdmin(e.currentTarget.checked)}
          />
          <ProblemAlert error={create.error} />
          <Group>
            <Button
              type="submit"
              loading={create.isPending}
              disabled={!email.trim() || !name.trim() || !!passwordError}
            >
              Add person
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function UsersTab({ users, teams }: { users: User[]; teams: Team[] }) {
  const [issued, setIssued] = useState<{ email: string; token: string } | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const issue = useMutation({
    mutationFn: (email: string) =>
      api<{ token: string }>(`/users/${encodeURIComponent(email)}/tokens`, {
        method: "POST",
        body: { name: "issued by an admin" },
      }).then((r) => ({ email, token: r.token })),
    onSuccess: setIssued,
  });
  const teamName = (k: string) => teams.find((t) => t.key === k)?.name ?? k;
  return (
    <Stack>
      <CreateUser teams={teams} />
      <ProblemAlert error={issue.error} onClose={issue.reset} />
      <Table.ScrollContainer minWidth={560}>
        <Table highlightOnHover>
          <TableHead columns={["Name", "E-mail", "Teams"]} />
          <Table.Tbody>
            {users.map((u) => (
              <Table.Tr key={u.email}>
                <Table.Td>
                  {u.name}{" "}
                  {u.admin && (
                    <Badge size="sm" color="grape.9" variant="filled">
                      admin
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  {u.teams
                    .map((t) => `${teamName(t.key)}${t.role === "lead" ? " (lead)" : ""}`)
                    .join(", ") || "—"}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => setEditing(u)}
                      aria-label={`Edit teams of ${u.name}`}
                    >
                      Teams…
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => issue.mutate(u.email)}
                      aria-label={`Issue token for ${u.name}`}
                    >
                      Issue token
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing && <UserTeamsDialog user={editing} teams={teams} onClose={() => setEditing(null)} />}
      <Modal
        opened={!!issued}
        onClose={() => setIssued(null)}
        title={`Token for ${issued?.email ?? ""}`}
      >
        <Stack>
          <Text size="sm">Give it to them privately; it is shown only this once.</Text>
          <Code block style={{ overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}>
            {issued?.token}
          </Code>
        </Stack>
      </Modal>
    </Stack>
  );
}

export default function AdminPage() {
  useDocumentTitle("Admin");
  const me = useMe();
  const teams = useTeams();
  const users = useUsers();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "teams";
  if (!me.admin)
    return (
      <Stack>
        <Title order={1}>Admin</Title>
        <Alert color="gray" title="For admins only">
          Teams, people and workflows are managed by admins. Ask one if something needs to change.
        </Alert>
      </Stack>
    );
  if (teams.isError) return <PageError error={teams.error} />;
  if (users.isError) return <PageError error={users.error} />;
  if (teams.isPending || users.isPending) return <PageLoading label="Loading teams and people" />;
  return (
    <Stack>
      <Title order={1}>Admin</Title>
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== "teams" ? { tab: v } : {}, { replace: true })}
      >
        <Tabs.List>
          <Tabs.Tab value="teams">Teams ({teams.data.length})</Tabs.Tab>
          <Tabs.Tab value="users">People ({users.data.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="teams" pt="md">
          <TeamsTab teams={teams.data} users={users.data} />
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <UsersTab users={users.data} teams={teams.data} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
