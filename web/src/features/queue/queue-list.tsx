import { Anchor, Button, Checkbox, Text } from "@mantine/core";
import { IconAlertTriangle, IconClockExclamation } from "@tabler/icons-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import type { ItemSummary } from "../../api/types.ts";
import { describeDeadline, duration } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import classes from "./queue-list.module.css";

/*
 * The queue as a virtualised list: only the rows in view (plus a few) are in the DOM, so 3,000
 * items scroll and respond like 30. The keyboard cursor (`cursor`) is owned by the page.
 */

export const ROW_HEIGHT = 60;

/** A row's one-click action, or (`blocked`) why the usual one is not offered yet. */
export type QuickAction = { label: string; run: () => void } | { label: string; blocked: string };

interface Props {
  items: ItemSummary[];
  cursor: number;
  selected: ReadonlySet<string>;
  onCursor: (index: number) => void;
  onToggle: (key: string) => void;
  /** The row's one-click action (claim, accept), or null when there is none for this row. */
  quickAction: (item: ItemSummary) => QuickAction | null;
  busyKeys: ReadonlySet<string>;
  label: string;
}

/**
 * The nearest deadline ("2 h left", "overdue by 1 d") or, without one, how long it waited.
 * Breached and warning deadlines carry an icon and a word as well as their colour.
 */
function DueCell({ item, now }: { item: ItemSummary; now: number }) {
  const d = describeDeadline(item.next_deadline, now);
  if (d)
    return (
      <span className={classes.due} data-level={d.level} title={d.long}>
        {d.level === "breached" && (
          <IconAlertTriangle size={14} color="var(--baton-red)" aria-label="Breached" />
        )}
        {d.level === "warning" && (
          <IconClockExclamation size={14} color="var(--baton-orange)" aria-label="Due soon" />
        )}
        <Text span size="xs" fw={d.level === "ok" || d.level === "paused" ? 500 : 700} c={d.color}>
          {d.text}
        </Text>
      </span>
    );
  return (
    <Text size="xs" c="dimmed" title="Time since the last change" className={classes.due}>
      waiting {duration(now - new Date(item.updated_at).getTime())}
    </Text>
  );
}

export function QueueList({
  items,
  cursor,
  selected,
  onCursor,
  onToggle,
  quickAction,
  busyKeys,
  label,
}: Props) {
  const scroller = useRef<HTMLElement>(null);
  const names = useNames();
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => items[i]?.key ?? i,
  });
  useEffect(() => {
    if (cursor >= 0) virtual.scrollToIndex(cursor, { align: "auto" });
  }, [cursor, virtual]);

  const now = Date.now();
  return (
    <div className={classes.frame}>
      <div className={`${classes.row} ${classes.head}`} aria-hidden>
        <span />
        <span>Key</span>
        <span>Item and next action</span>
        <span className={classes.wide}>Step</span>
        <span className={classes.wide}>Assignee</span>
        <span>Due / waiting</span>
        <span />
      </div>
      <section
        ref={scroller}
        className={classes.scroller}
        data-testid="queue-scroller"
        aria-label={label}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll region must be reachable by keyboard (WCAG 2.1.1)
        tabIndex={0}
      >
        <ul className={classes.list} style={{ height: virtual.getTotalSize() }} aria-label={label}>
          {virtual.getVirtualItems().map((v) => {
            const item = items[v.index];
            if (!item) return null;
            const action = quickAction(item);
            const isCursor = v.index === cursor;
            return (
              // Clicking a row moves the cursor; keyboard users move it with j/k (see useKeys).
              // biome-ignore lint/a11y/useKeyWithClickEvents: see above
              <li
                key={v.key}
                className={`queue-row ${classes.row}`}
                data-cursor={isCursor}
                data-selected={selected.has(item.key)}
                data-key={item.key}
                aria-current={isCursor ? "true" : undefined}
                aria-posinset={v.index + 1}
                aria-setsize={items.length}
                style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest("a, button, input")) return;
                  onCursor(v.index);
                }}
              >
                <Checkbox
                  aria-label={`Select ${item.key}`}
                  checked={selected.has(item.key)}
                  onChange={() => onToggle(item.key)}
                  size="xs"
                />
                <Anchor
                  component={Link}
                  to={`/items/${item.key}`}
                  className="item-key"
                  size="sm"
                  onFocus={() => onCursor(v.index)}
                >
                  {item.key}
                </Anchor>
                <div className={classes.main}>
                  <Text size="sm" fw={500} truncate>
                    {item.title}
                    {item.rework > 0 ? (
                      <Text span size="xs" c="var(--baton-orange)" fw={600}>
                        {" "}
                        · rework {item.rework}
                      </Text>
                    ) : null}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {item.next?.action ?? "—"}
                  </Text>
                </div>
                <Text
                  size="sm"
                  truncate
                  className={classes.wide}
                  title={
                    item.to_step_name
                      ? `In transit from “${item.step_name}”, awaiting acceptance`
                      : undefined
                  }
                >
                  {item.to_step_name ?? item.step_name}
                </Text>
                <Text
                  size="sm"
                  truncate
                  className={classes.wide}
                  c={item.assignee ? undefined : "dimmed"}
                >
                  {item.assignee ? names.person(item.assignee) : "unassigned"}
                </Text>
                <DueCell item={item} now={now} />
                <span>
                  {action && "blocked" in action ? (
                    <Text
                      size="xs"
                      fw={600}
                      c="var(--baton-orange)"
                      title={action.blocked}
                      data-testid="accept-blocked"
                      aria-label={`${item.key}: ${action.blocked}`}
                    >
                      {action.label}
                    </Text>
                  ) : action ? (
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="blue"
                      onClick={action.run}
                      loading={busyKeys.has(item.key)}
                      aria-label={`${action.label} ${item.key}`}
                    >
                      {action.label}
                    </Button>
                  ) : null}
                </span>
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
