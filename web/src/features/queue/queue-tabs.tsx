import { Badge, Button, Tabs } from "@mantine/core";
import { QUEUE_HEAD, type QueueResult } from "../../api/queries.ts";
import type { QueueTab } from "../../api/types.ts";
import { Empty } from "../../components/page-state.tsx";
import classes from "./queue-page.module.css";

/*
 * The queue's sections as tabs with their counts, and what an empty tab says about what would
 * land there.
 */

/** The thresholds offered for "stalled"; the server takes any number of days up to 365. */
export const stalledChoices = [0, 1, 2, 3, 5, 7, 14];
export const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;
/** The threshold's words; 0 is the workflows' own rule (see STALLED_AFTER_DAYS). */
const stalledWords = (n: number) =>
  n === 0
    ? "longer than its workflow's stall_after (3 business days by default)"
    : `for ${days(n)}`;

interface TabInfo {
  value: QueueTab;
  label: string;
  emptyTitle: string;
  empty: string | ((stalledAfterDays: number) => string);
}

const tabs: TabInfo[] = [
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

/** The tab's name and empty-state words; an unknown tab in the URL reads as the first. */
export const tabInfoOf = (tab: QueueTab): TabInfo | undefined =>
  tabs.find((t) => t.value === tab) ?? tabs[0];

/** One tab per section the server sends, each with its count. */
export function QueueTabs({
  tab,
  queue,
  onChange,
}: {
  tab: QueueTab;
  queue: QueueResult;
  onChange: (tab: string | null) => void;
}) {
  return (
    <Tabs value={tab} onChange={onChange}>
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
  );
}

/**
 * An empty tab says what would land in it; a tab whose rows are all filtered out says so and
 * offers to clear the filters.
 */
export function QueueEmpty({
  tabInfo,
  total,
  stalledAfterDays,
  onClearFilters,
}: {
  tabInfo: TabInfo | undefined;
  /** The tab's rows before search and filters. */
  total: number;
  stalledAfterDays: number;
  onClearFilters: () => void;
}) {
  if (total === 0)
    return (
      <Empty title={tabInfo?.emptyTitle ?? "Empty"}>
        {typeof tabInfo?.empty === "function" ? tabInfo.empty(stalledAfterDays) : tabInfo?.empty}
      </Empty>
    );
  return (
    <Empty
      title="No item matches"
      action={
        <Button variant="light" onClick={onClearFilters}>
          Clear filters
        </Button>
      }
    >
      {total} items are in this tab; none matches the search and filters.
    </Empty>
  );
}
