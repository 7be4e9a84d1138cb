import { Stack } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMemo, useRef, useState } from "react";
import { useParams } from "react-router";
import { useQueue, useTeams } from "../../api/queries.ts";
import { PageError, PageLoading, useDocumentTitle } from "../../components/page-state.tsx";
import { isMemberOf, useMe } from "../auth/session.ts";
import { RejectDialog } from "../item/reject-dialog.tsx";
import { BulkActions } from "./bulk-actions.tsx";
import { QueueHeader } from "./queue-header.tsx";
import { QueueList } from "./queue-list.tsx";
import { QueueEmpty, QueueTabs, tabInfoOf } from "./queue-tabs.tsx";
import { QueueToolbar } from "./queue-toolbar.tsx";
import { filterQueue, useQueueView } from "./queue-view.ts";
import { useQueueActions } from "./use-queue-actions.ts";
import { useQueueKeys } from "./use-queue-keys.ts";

/*
 * A team's queue: incoming handoffs, work in progress, work waiting on other teams, questions,
 * stalled work and paused work. Filter and sort in the browser (the API sends up to 5,000 per
 * tab), claim or accept in one click, select many to accept or assign at once, and drive it all
 * from the keyboard. This component holds the state the parts share (the cursor, the selection,
 * the item being rejected) and composes them:
 *
 *   queue-header.tsx       the team's name, calendar link and team picker
 *   queue-tabs.tsx         the sections with their counts, and what an empty tab says
 *   queue-toolbar.tsx      search, filters and sort (behind a button on a phone)
 *   queue-view.ts          those settings in the URL; filtering and sorting the rows
 *   bulk-actions.tsx       the bar over the list while rows are selected
 *   use-queue-actions.ts   claim, accept with undo (accept-undo.tsx), the row's quick button
 *   use-queue-keys.ts      the single-key shortcuts
 *   queue-list.tsx         the rows, virtualised, scrolling with the page
 */
export default function QueuePage() {
  const { team = "" } = useParams();
  const me = useMe();
  const teams = useTeams();
  const [cursor, setCursor] = useState(0);
  const view = useQueueView({ onChange: () => setCursor(0) });
  const { tab, search, workflow, assignee, sort, stalledAfterDays } = view;
  const queue = useQueue(team, stalledAfterDays);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [rejecting, setRejecting] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // Phones (390 px) put the first rows on screen: a one-line header, filters behind a button.
  const phone = useMediaQuery("(max-width: 36em)") ?? false;

  const teamInfo = teams.data?.find((t) => t.key === team);
  const teamName = teamInfo?.name ?? team;
  useDocumentTitle(`${teamName} queue`);
  const isMember = isMemberOf(me, team);
  const actions = useQueueActions({ team, isMember, me: me.email });

  const all = useMemo(() => queue.data?.[tab] ?? [], [queue.data, tab]);
  const workflows = useMemo(() => [...new Set(all.map((i) => i.workflow))].sort(), [all]);
  const items = useMemo(
    () => filterQueue({ items: all, search, workflow, assignee, sort, me: me.email }),
    [all, search, workflow, assignee, sort, me.email],
  );
  // The list can shrink under the cursor (accepted items leave it): keep it on a row.
  const cursorIndex = Math.max(0, Math.min(cursor, items.length - 1));

  const toggle = (key: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });

  useQueueKeys({
    items,
    cursorIndex,
    setCursor,
    canAct: actions.canAct,
    onToggle: toggle,
    onClaim: actions.claim,
    onAccept: actions.acceptOne,
    onReject: setRejecting,
    searchRef,
  });

  if (queue.isError) return <PageError error={queue.error} />;

  const members = teamInfo?.members ?? [];
  const tabInfo = tabInfoOf(tab);

  return (
    <Stack gap={phone ? "xs" : "md"}>
      <QueueHeader
        team={team}
        teamName={teamName}
        teams={teams.data ?? []}
        isMember={isMember}
        phone={phone}
      />
      <QueueTabs
        tab={tab}
        queue={queue}
        onChange={(v) => view.setParam("tab", v === "incoming" ? null : v)}
      />
      <QueueToolbar
        view={view}
        workflows={workflows}
        members={members}
        phone={phone}
        searchRef={searchRef}
      />
      <BulkActions
        selected={selected}
        setSelected={setSelected}
        tab={tab}
        isMember={isMember}
        incoming={queue.data?.incoming ?? []}
        members={members}
        refresh={actions.refresh}
      />

      {queue.isPending ? (
        <PageLoading label="Loading the queue" />
      ) : items.length === 0 ? (
        <QueueEmpty
          tabInfo={tabInfo}
          total={all.length}
          stalledAfterDays={stalledAfterDays}
          onClearFilters={view.clearFilters}
        />
      ) : (
        <QueueList
          items={items}
          cursor={cursorIndex}
          selected={selected}
          busyKeys={actions.busy}
          onCursor={setCursor}
          onToggle={toggle}
          quickAction={actions.quickAction}
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
