import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Kbd,
  Paper,
  Select,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconCalendarTime, IconFilter, IconSearch } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError } from "../../api/client.ts";
import {
  afterItemChange,
  QUEUE_HEAD,
  runItemCommand,
  STALLED_AFTER_DAYS,
  useQueue,
  useTeams,
} from "../../api/queries.ts";
import { patchQueues } from "../../api/queue-cache.ts";
import { acceptBlock, type ItemSummary, type QueueTab } from "../../api/types.ts";
import { Empty, PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { useKeys } from "../../lib/keys.ts";
import { isMemberOf, useMe } from "../auth/session.ts";
import { RejectDialog } from "../item/reject-dialog.tsx";
import { acceptWithUndo, undoAccept, useHeldAccepts } from "./accept-undo.tsx";
import { QueueList, type QuickAction } from "./queue-list.tsx";
import classes from "./queue-page.module.css";

/*
 * A team's queue: incoming handoffs, work in progress, work waiting on other teams, questions,
 * stalled work and paused work. Filter and sort in the browser (the API sends up to 5,000 per
 * tab), claim or accept in one click, select many to accept or assign at once, and drive it all
 * from the keyboard.
 */

/** The thresholds offered for "stalled"; the server takes any number of days up to 365. */
const stalledChoices = [0, 1, 2, 3, 5, 7, 14];
const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;
/** The threshold's words; 0 is the workflows' own rule (see STALLED_AFTER_DAYS). */
const stalledWords = (n: number) =>
  n === 0
    ? "longer than its workflow's stall_after (3 business days by default)"
    : `for ${days(n)}`;

const tabs: {
  value: QueueTab;
  label: string;
  emptyTitle: string;
  empty: string | ((stalledAfterDays: number) => string);
}[] = [
  {
    value: "incoming",
    label: "Incoming",
    emptyTitle: "No incoming handoffs",
    empty:
      "Work other teams hand to this team lands here. Accept it to take it on, or return it with a reason.",
  },
  {
    value: "in_progress",
    label: "In progress",
    emptyTitle: "Nothing in progress",
    empty:
      "Items this team owns and must move next show here: new items started by the team and handoffs it accepted.",
  },
  {
    value: "waiting_on_others",
    label: "Waiting on others",
    emptyTitle: "Nothing waiting on other teams",
    empty:
      "Items this team worked on that another team must move now — handoffs awaiting acceptance and work further down the line.",
  },
  {
    value: "questions",
    label: "Questions",
    emptyTitle: "No questions for this team",
    empty:
      "When another team asks this team something about an item, the item shows here until the question is answered.",
  },
  {
    value: "stalled",
    label: "Stalled",
    emptyTitle: "Nothing stalled",
    empty: (n) =>
      `Work your team holds that breached its service level or sat untouched ${stalledWords(n)} shows here.`,
  },
  {
    value: "paused",
    label: "Paused",
    emptyTitle: "Nothing paused",
    empty:
      "Work paused while waiting on a customer or outside party shows here; its service-level clocks stop.",
  },
];

type Sort = "urgent" | "risk" | "oldest" | "newest" | "key" | "title";
/** Without a forecast a row sorts after every row with one. */
const riskOf = (i: ItemSummary) => i.risk ?? -1;
// ISO timestamps sort as plain strings; localeCompare would cost ~50 ms on 3,000 items.
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sorters: Record<Sort, ((a: ItemSummary, b: ItemSummary) => number) | null> = {
  // The server sends each tab most urgent first (breached, then nearest deadline).
  urgent: null,
  // Most likely to breach first; the sort is stable, so equal risks keep the urgent order.
  risk: (a, b) => riskOf(b) - riskOf(a),
  oldest: (a, b) => byString(a.updated_at, b.updated_at),
  newest: (a, b) => byString(b.updated_at, a.updated_at),
  key: (a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }),
  title: (a, b) => a.title.localeCompare(b.title),
};

/** Runs one command on many items, four at a time; reports successes and failures in words. */
async function runMany(
  itemKeys: string[],
  run: (key: string) => Promise<unknown>,
): Promise<{ ok: string[]; failed: { key: string; message: string }[] }> {
  const ok: string[] = [];
  const failed: { key: string; message: string }[] = [];
  const queue = [...itemKeys];
  const worker = async () => {
    for (let key = queue.shift(); key; key = queue.shift()) {
      try {
        await run(key);
        ok.push(key);
      } catch (e) {
        failed.push({ key, message: e instanceof ApiError ? e.message : String(e) });
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { ok, failed };
}

/** Focuses a row's key link once the list has scrolled it into view (only rows in view exist). */
function focusRowLink(key: string): void {
  let tries = 0;
  const focus = () => {
    const link = document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"] a.item-key`);
    if (link) link.focus({ preventScroll: true });
    else if (tries++ < 5) requestAnimationFrame(focus);
  };
  requestAnimationFrame(focus);
}

export default function QueuePage() {
  const { team = "" } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const teams = useTeams();
  const [params, setParams] = useSearchParams();
  const stalledParam = Number(params.get("stalled_after_days"));
  const stalledAfterDays =
    Number.isFinite(stalledParam) && stalledParam > 0 && stalledParam <= 365
      ? stalledParam
      : STALLED_AFTER_DAYS;
  const queue = useQueue(team, stalledAfterDays);
  const tab = (params.get("tab") as QueueTab | null) ?? "incoming";
  const search = params.get("q") ?? "";
  const workflow = params.get("workflow") ?? "";
  const assignee = params.get("assignee") ?? "";
  const sort = (params.get("sort") as Sort | null) ?? "urgent";
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [assignTo, setAssignTo] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // Phones (390 px) put the first rows on screen: a one-line header, filters behind a button.
  const phone = useMediaQuery("(max-width: 36em)") ?? false;
  const [filtersOpen, setFiltersOpen] = useState(false);

  const teamInfo = teams.data?.find((t) => t.key === team);
  const teamName = teamInfo?.name ?? team;
  useDocumentTitle(`${teamName} queue`);
  const isMember = isMemberOf(me, team);

  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setCursor(0);
  };

  const all = useMemo(() => queue.data?.[tab] ?? [], [queue.data, tab]);
  const workflows = useMemo(() => [...new Set(all.map((i) => i.workflow))].sort(), [all]);
  const items = useMemo(() => {
    const q = search.trim().toLowerCase();
    const filtered = all.filter(
      (i) =>
        (!workflow || i.workflow === workflow) &&
        (!assignee ||
          (assignee === "__me" && i.assignee === me.email) ||
          (assignee === "__none" && !i.assignee) ||
          i.assignee === assignee) &&
        (!q || i.key.toLowerCase().includes(q) || i.title.toLowerCase().includes(q)),
    );
    const by = sorters[sort];
    return by ? filtered.sort(by) : filtered;
  }, [all, search, workflow, assignee, sort, me.email]);
  // The list can shrink under the cursor (accepted items leave it): keep it on a row.
  const cursorIndex = Math.max(0, Math.min(cursor, items.length - 1));
  const current = items[cursorIndex];

  const withBusy = async (key: string, f: () => Promise<unknown>) => {
    setBusy((s) => new Set(s).add(key));
    try {
      await f();
    } finally {
      setBusy((s) => {
        const n = new Set(s);
        n.delete(key);
        return n;
      });
    }
  };
  /** Brings these items' rows up to date in every queue held (not the whole queue). */
  const refresh = (itemKeys: string[]) =>
    void patchQueues(
      qc,
      itemKeys.map((key) => ({ key, teams: [team] })),
    );
  const single = (key: string, command: "claim", done: string) =>
    withBusy(key, async () => {
      try {
        const item = await runItemCommand(key, command);
        afterItemChange(qc, item);
        notifications.show({ message: `${key} ${done}.`, color: "green" });
      } catch (e) {
        notifications.show({
          title: `Could not ${command} ${key}`,
          message: e instanceof Error ? e.message : String(e),
          color: "red",
        });
        refresh([key]);
      }
    });
  const canAct = (i: ItemSummary) => isMember && i.next?.team === team;
  const heldAccepts = useHeldAccepts();
  /** Accepts after a few seconds in which Undo takes it back (the accept moves ownership). */
  const acceptSoon = (key: string) =>
    acceptWithUndo(key, ({ item }) => {
      if (item) afterItemChange(qc, item);
      else refresh([key]);
    });
  /** Accepts one item, or says why it cannot be accepted yet instead of sending a doomed call. */
  const acceptOne = (i: ItemSummary) => {
    const block = acceptBlock(i.next);
    if (block)
      notifications.show({
        title: `${i.key} cannot be accepted yet`,
        message: `Acceptance waits for the handoff meeting: ${block}.`,
        color: "orange",
      });
    else acceptSoon(i.key);
  };
  const quickAction = (i: ItemSummary): QuickAction | null => {
    if (!canAct(i)) return null;
    if (i.state === "awaiting_acceptance") {
      if (heldAccepts.has(i.key)) return { label: "Undo", run: () => undoAccept(i.key) };
      const block = acceptBlock(i.next);
      return block
        ? { label: "Meeting first", blocked: `Acceptance waits for the handoff meeting: ${block}.` }
        : { label: "Accept", run: () => acceptSoon(i.key) };
    }
    if (i.state === "in_progress" && i.assignee !== me.email)
      return { label: "Claim", run: () => void single(i.key, "claim", "is yours now") };
    return null;
  };

  const bulk = async (
    label: string,
    run: (key: string) => Promise<unknown>,
    keysToRun: string[] = [...selected],
  ) => {
    const chosen = keysToRun;
    const { ok, failed } = await runMany(chosen, run);
    // What was not run (waiting for a meeting) or failed stays selected.
    const done = new Set(ok);
    setSelected(new Set([...selected].filter((k) => !done.has(k))));
    refresh(chosen);
    notifications.show({
      title: `${label}: ${ok.length} of ${chosen.length} done`,
      message:
        failed.length === 0
          ? "All selected items were updated."
          : failed
              .slice(0, 5)
              .map((f) => `${f.key}: ${f.message}`)
              .join("\n"),
      color: failed.length === 0 ? "green" : "orange",
    });
  };

  const toggle = (key: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });

  // j/k move focus to the row's link as well as the cursor, so screen readers announce the row.
  const focusRow = useRef(false);
  const currentKey = current?.key;
  useEffect(() => {
    if (!focusRow.current || !currentKey) return;
    focusRow.current = false;
    focusRowLink(currentKey);
  }, [currentKey]);
  const moveCursor = (to: number) => {
    if (to === cursorIndex) {
      if (currentKey) focusRowLink(currentKey);
      return;
    }
    focusRow.current = true;
    setCursor(to);
  };

  useKeys({
    j: () => moveCursor(Math.min(cursorIndex + 1, items.length - 1)),
    k: () => moveCursor(Math.max(cursorIndex - 1, 0)),
    enter: () => current && navigate(`/items/${current.key}`),
    o: () => current && navigate(`/items/${current.key}`),
    x: () => current && toggle(current.key),
    c: () => {
      if (current && canAct(current) && current.state === "in_progress")
        void single(current.key, "claim", "is yours now");
    },
    a: () => {
      if (current && canAct(current) && current.state === "awaiting_acceptance") acceptOne(current);
    },
    r: () => {
      if (current && canAct(current) && current.state === "awaiting_acceptance")
        setRejecting(current.key);
    },
    "/": () => searchRef.current?.focus(),
  });

  if (queue.isError) return <PageError error={queue.error} />;

  const members = teamInfo?.members ?? [];
  const assigneeOptions = [
    { value: "__me", label: "Me" },
    { value: "__none", label: "Unassigned" },
    ...members.map((m) => ({ value: m.email, label: m.name })),
  ];
  const tabInfo = tabs.find((t) => t.value === tab) ?? tabs[0];
  // Bulk accept sends only what can be accepted now; the rest wait for their meetings.
  const selectedIncoming = (queue.data?.incoming ?? []).filter((i) => selected.has(i.key));
  const acceptable = selectedIncoming.filter((i) => !acceptBlock(i.next)).map((i) => i.key);
  const waitingForMeeting = selectedIncoming.length - acceptable.length;

  const activeFilters = [workflow, assignee, sort !== "urgent" ? sort : ""].filter(Boolean).length;
  const filterInputs = (
    <>
      <Select
        label="Workflow"
        placeholder="All workflows"
        clearable
        data={workflows}
        value={workflow || null}
        onChange={(v) => setParam("workflow", v)}
        w={{ base: "47%", xs: 170 }}
      />
      <Select
        label="Assignee"
        placeholder="Anyone"
        clearable
        data={assigneeOptions}
        value={assignee || null}
        onChange={(v) => setParam("assignee", v)}
        w={{ base: "47%", xs: 170 }}
      />
      <Select
        label="Sort"
        allowDeselect={false}
        data={[
          { value: "urgent", label: "Most urgent" },
          { value: "risk", label: "Most at risk" },
          { value: "oldest", label: "Waiting longest" },
          { value: "newest", label: "Most recent" },
          { value: "key", label: "Key" },
          { value: "title", label: "Title" },
        ]}
        value={sort}
        onChange={(v) => setParam("sort", v === "urgent" ? null : v)}
        w={{ base: "47%", xs: 170 }}
      />
      {tab === "stalled" && (
        <Select
          label="Stalled after"
          allowDeselect={false}
          data={[...new Set([...stalledChoices, stalledAfterDays])]
            .sort((a, b) => a - b)
            .map((n) => ({
              value: String(n),
              label: n === 0 ? "Workflow's stall_after" : `${days(n)} untouched`,
            }))}
          value={String(stalledAfterDays)}
          onChange={(v) =>
            setParam("stalled_after_days", v && Number(v) !== STALLED_AFTER_DAYS ? v : null)
          }
          w={{ base: "47%", xs: 180 }}
        />
      )}
    </>
  );

  return (
    <Stack gap={phone ? "xs" : "md"}>
      <Group justify="space-between" align={phone ? "center" : "flex-end"} wrap="nowrap" gap="xs">
        <div style={{ minWidth: 0 }} className={phone ? "visually-hidden" : undefined}>
          {/* On a phone the team picker below names the team; the heading stays for readers. */}
          <Title order={1}>{teamName}</Title>
          {/* On a phone the page leaves room for the queue: the hint is for keyboards anyway. */}
          <Text size="sm" c="dimmed" visibleFrom="sm">
            {isMember
              ? "Your team's queue. Press ? for keyboard shortcuts."
              : "You are not in this team: you can read its queue, not act on it."}
          </Text>
        </div>
        <Group
          gap="xs"
          align="flex-end"
          wrap="nowrap"
          style={phone ? { flex: 1, flexDirection: "row-reverse" } : undefined}
        >
          {phone ? (
            <ActionIcon
              component={Link}
              to={`/teams/${team}/calendar`}
              variant="default"
              size={36}
              aria-label="Calendar"
            >
              <IconCalendarTime size={18} aria-hidden />
            </ActionIcon>
          ) : (
            <Button
              component={Link}
              to={`/teams/${team}/calendar`}
              variant="default"
              leftSection={<IconCalendarTime size={16} aria-hidden />}
            >
              Calendar
            </Button>
          )}
          <Select
            label={phone ? undefined : "Team"}
            aria-label="Team"
            w={phone ? undefined : 220}
            style={phone ? { flex: 1 } : undefined}
            value={team}
            allowDeselect={false}
            data={(teams.data ?? []).map((t) => ({ value: t.key, label: t.name }))}
            onChange={(v) => v && navigate(`/teams/${v}`)}
          />
        </Group>
      </Group>

      <Tabs value={tab} onChange={(v) => setParam("tab", v === "incoming" ? null : v)}>
        {/* One scrolling line of tabs on a phone instead of three wrapped ones. */}
        <Tabs.List className={classes.tabs}>
          {tabs
            // Sections an older server does not send get no tab.
            .filter(
              (t) =>
                (t.value !== "questions" && t.value !== "stalled") ||
                queue.data?.[t.value] !== undefined,
            )
            .map((t) => {
              const n = queue.data?.[t.value]?.length;
              // Stalled work is a warning: its count stands out while the tab is not open.
              const alarm = t.value === "stalled" && !!n && t.value !== tab;
              return (
                <Tabs.Tab
                  key={t.value}
                  value={t.value}
                  rightSection={
                    n === undefined ? null : (
                      <Badge
                        size="sm"
                        variant={t.value === tab ? "filled" : "light"}
                        color={t.value === tab ? "blue" : alarm ? "red" : "gray"}
                      >
                        {/* While the first rows are in and the rest loads, a full section reads "50+". */}
                        {queue.partial && n >= QUEUE_HEAD ? `${n}+` : n}
                      </Badge>
                    )
                  }
                >
                  {t.label}
                </Tabs.Tab>
              );
            })}
        </Tabs.List>
      </Tabs>

      <Group gap="sm" align="flex-end" wrap={phone ? "nowrap" : "wrap"}>
        <TextInput
          ref={searchRef}
          label={phone ? undefined : "Search"}
          aria-label="Search"
          placeholder="Key or title"
          leftSection={<IconSearch size={16} aria-hidden />}
          rightSection={<Kbd size="xs">/</Kbd>}
          value={search}
          onChange={(e) => setParam("q", e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" || e.key === "Enter") e.currentTarget.blur();
          }}
          w={phone ? undefined : 220}
          style={phone ? { flex: 1 } : undefined}
        />
        {phone && (
          <Button
            variant={filtersOpen ? "light" : "default"}
            leftSection={<IconFilter size={16} aria-hidden />}
            onClick={() => setFiltersOpen((o) => !o)}
            aria-expanded={filtersOpen}
            aria-controls="queue-filters"
          >
            Filters{activeFilters > 0 ? ` (${activeFilters})` : ""}
          </Button>
        )}
        {!phone && filterInputs}
      </Group>
      {phone && filtersOpen && (
        <Group gap="sm" align="flex-end" wrap="wrap" id="queue-filters">
          {filterInputs}
        </Group>
      )}

      {selected.size > 0 && (
        <Paper
          withBorder
          p="xs"
          bg="var(--mantine-color-yellow-light)"
          role="region"
          aria-label="Bulk actions"
        >
          <Group gap="sm" wrap="wrap">
            <Text size="sm" fw={600}>
              {selected.size} selected
            </Text>
            {tab === "incoming" && isMember && acceptable.length > 0 && (
              <Button
                size="xs"
                onClick={() => void bulk("Accept", (k) => runItemCommand(k, "accept"), acceptable)}
              >
                Accept {acceptable.length}
              </Button>
            )}
            {tab === "incoming" && isMember && waitingForMeeting > 0 && (
              <Text size="sm" c="var(--baton-orange)" data-testid="bulk-accept-blocked">
                {waitingForMeeting === 1
                  ? "1 selected item waits for its handoff meeting"
                  : `${waitingForMeeting} selected items wait for their handoff meetings`}{" "}
                and cannot be accepted yet.
              </Text>
            )}
            {isMember && (
              <Group gap={6} wrap="nowrap">
                <Select
                  size="xs"
                  aria-label="Assign selected to"
                  placeholder="Assign to…"
                  data={members.map((m) => ({ value: m.email, label: m.name }))}
                  value={assignTo}
                  onChange={setAssignTo}
                  w={170}
                />
                <Button
                  size="xs"
                  variant="light"
                  disabled={!assignTo}
                  onClick={() =>
                    void bulk("Assign", (k) => runItemCommand(k, "assign", { email: assignTo }))
                  }
                >
                  Assign
                </Button>
              </Group>
            )}
            <Button size="xs" variant="subtle" color="gray" onClick={() => setSelected(new Set())}>
              Clear selection
            </Button>
          </Group>
        </Paper>
      )}

      {queue.isPending ? (
        <PageLoading label="Loading the queue" />
      ) : items.length === 0 ? (
        all.length === 0 ? (
          <Empty title={tabInfo?.emptyTitle ?? "Empty"}>
            {typeof tabInfo?.empty === "function"
              ? tabInfo.empty(stalledAfterDays)
              : tabInfo?.empty}
          </Empty>
        ) : (
          <Empty
            title="No item matches"
            action={
              <Button
                variant="light"
                onClick={() => {
                  // Clears search and filters; the tab and its stalled threshold stay.
                  const kept = new URLSearchParams();
                  for (const name of ["tab", "stalled_after_days"]) {
                    const v = params.get(name);
                    if (v) kept.set(name, v);
                  }
                  setParams(kept);
                }}
              >
                Clear filters
              </Button>
            }
          >
            {all.length} items are in this tab; none matches the search and filters.
          </Empty>
        )
      ) : (
        <QueueList
          items={items}
          cursor={cursorIndex}
          selected={selected}
          busyKeys={busy}
          onCursor={setCursor}
          onToggle={toggle}
          quickAction={quickAction}
          label={`${teamName}: ${tabInfo?.label ?? ""}, ${items.length} items`}
        />
      )}
      {rejecting && (
        <RejectDialog
          itemKey={rejecting}
          opened
          onClose={() => setRejecting(null)}
          // The dialog's command puts the item in the cache and patches the queues.
          onDone={() =>
            notifications.show({ message: `${rejecting} returned to the sender.`, color: "green" })
          }
        />
      )}
    </Stack>
  );
}
