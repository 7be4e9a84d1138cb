import { IconAlertTriangle, IconChartLine, IconClockExclamation } from "@tabler/icons-react";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Link } from "react-router";
import type { ItemSummary } from "../../api/types.ts";
import { describeDeadline, duration } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import classes from "./queue-list.module.css";

/*
 * The queue as a virtualised list that scrolls with the page (one scrollbar, no frame ending
 * below the fold): only the rows in view (plus a few) are in the DOM, so 3,000 items scroll and
 * respond like 30. Rows are plain elements styled by classes and memoised, so a scroll frame
 * renders only the rows coming into view (Mantine's Text, Checkbox and Button per row cost a
 * third of each frame). The keyboard cursor (`cursor`) is owned by the page.
 */

export const ROW_HEIGHT = 60;

/** How often the "2 h left" / "waiting 3 d" cells move on while the page is open. */
const CLOCK_TICK_MS = 30_000;

/** The app header (56 px) and the list's own sticky column head: rows scrolled to stay below. */
const STICKY_ABOVE = 56 + 34;

/**
 * From this breach chance up a running clock counts as "at risk" (more likely to breach than
 * not); the server's `risk` comes from the workflow's history (GET /items/{key}/forecast).
 */
export const AT_RISK = 0.5;

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

/** A colour from describeDeadline: a CSS value, or "dimmed". */
const cssColor = (c: string) => (c === "dimmed" ? "var(--mantine-color-dimmed)" : c);

/**
 * The nearest deadline ("2 h left", "overdue by 1 d") or, without one, how long it waited.
 * Breached and warning deadlines carry an icon and a word as well as their colour.
 */
function DueLine({ item, now }: { item: ItemSummary; now: number }) {
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
        <span
          className={d.level === "ok" || d.level === "paused" ? classes.medium : classes.strong}
          style={{ color: cssColor(d.color) }}
        >
          {d.text}
        </span>
      </span>
    );
  return (
    <span className={`${classes.due} ${classes.dimmed}`} title="Time since the last change">
      waiting {duration(now - new Date(item.updated_at).getTime())}
    </span>
  );
}

/**
 * The deadline, and under it "at risk · 74 %" when a running clock is more likely than not to
 * breach: in the warning's colour with the forecast's icon, and in words, so it reads without
 * colour. A breached deadline says more than a forecast, so it shows alone.
 */
function DueCell({ item, now }: { item: ItemSummary; now: number }) {
  const breached = describeDeadline(item.next_deadline, now)?.level === "breached";
  const risk = item.risk ?? null;
  const percent = risk === null ? 0 : Math.round(risk * 100);
  return (
    <div className={classes.dueCell}>
      <DueLine item={item} now={now} />
      {risk !== null && risk >= AT_RISK && !breached && (
        <span
          className={classes.risk}
          data-testid="at-risk"
          title={`${percent} % likely to breach its limit, from this workflow's history`}
        >
          <IconChartLine size={12} aria-hidden />
          at risk · {percent} %
        </span>
      )}
    </div>
  );
}

interface RowProps {
  item: ItemSummary;
  /** The assignee's display name, or null when unassigned. */
  assignee: string | null;
  index: number;
  start: number;
  count: number;
  isCursor: boolean;
  isSelected: boolean;
  busy: boolean;
  now: number;
  onCursor: (index: number) => void;
  onToggle: (key: string) => void;
  quickAction: (item: ItemSummary) => QuickAction | null;
}

const Row = memo(function Row({
  item,
  assignee,
  index,
  start,
  count,
  isCursor,
  isSelected,
  busy,
  now,
  onCursor,
  onToggle,
  quickAction,
}: RowProps) {
  const action = quickAction(item);
  return (
    // Clicking a row moves the cursor; keyboard users move it with j/k (see useKeys).
    // biome-ignore lint/a11y/useKeyWithClickEvents: see above
    <li
      className={`queue-row ${classes.row}`}
      data-cursor={isCursor}
      data-selected={isSelected}
      data-key={item.key}
      aria-current={isCursor ? "true" : undefined}
      aria-posinset={index + 1}
      aria-setsize={count}
      style={{ transform: `translateY(${start}px)` }}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest("a, button, input")) return;
        onCursor(index);
      }}
    >
      <input
        type="checkbox"
        className={classes.check}
        aria-label={`Select ${item.key}`}
        checked={isSelected}
        onChange={() => onToggle(item.key)}
      />
      <Link
        to={`/items/${item.key}`}
        className={`item-key ${classes.key}`}
        onFocus={() => onCursor(index)}
      >
        {item.key}
      </Link>
      <div className={classes.main}>
        <div className={`${classes.title} ${classes.truncate}`}>
          {item.title}
          {item.rework > 0 ? <span className={classes.rework}> · rework {item.rework}</span> : null}
        </div>
        <div className={`${classes.small} ${classes.dimmed} ${classes.truncate}`}>
          {item.next?.action ?? "—"}
        </div>
      </div>
      <span
        className={`${classes.truncate} ${classes.wide}`}
        title={
          item.to_step_name ? `In transit from “${item.step_name}”, awaiting acceptance` : undefined
        }
      >
        {item.to_step_name ?? item.step_name}
      </span>
      <span className={`${classes.truncate} ${classes.wide} ${assignee ? "" : classes.dimmed}`}>
        {assignee ?? "unassigned"}
      </span>
      <DueCell item={item} now={now} />
      <span>
        {action && "blocked" in action ? (
          <span
            className={`${classes.small} ${classes.blocked}`}
            title={action.blocked}
            data-testid="accept-blocked"
            role="note"
            aria-label={`${item.key}: ${action.blocked}`}
          >
            {action.label}
          </span>
        ) : action ? (
          <button
            type="button"
            className={classes.action}
            onClick={action.run}
            disabled={busy}
            aria-busy={busy || undefined}
            aria-label={`${action.label} ${item.key}`}
          >
            {busy ? "…" : action.label}
          </button>
        ) : null}
      </span>
    </li>
  );
});

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
  const list = useRef<HTMLUListElement>(null);
  const names = useNames();
  // Where the list starts in the page: the window scrolls, the list is part of it.
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const measure = () => setOffset(el.getBoundingClientRect().top + window.scrollY);
    measure();
    // What sits above the list (the bulk bar, filters wrapping) moves it: the page's column
    // changes size with it.
    const observer = new ResizeObserver(measure);
    const column = el.parentElement?.parentElement;
    if (column) observer.observe(column);
    return () => observer.disconnect();
  }, []);
  const virtual = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    scrollMargin: offset,
    scrollPaddingStart: STICKY_ABOVE,
    getItemKey: (i) => items[i]?.key ?? i,
    // Rows coming into view render in React's next task, not inside each scroll event: measured
    // 48 against 41 fps, and 28 against 15 with the CPU slowed 4× (bench:web, interleaved).
    useFlushSync: false,
  });
  // Follow the cursor when it moves, not when the list mounts: the list opens at the top of the
  // page, and before the virtualizer has measured the window it would scroll it for row 0.
  const shownCursor = useRef(cursor);
  useEffect(() => {
    if (cursor === shownCursor.current) return;
    shownCursor.current = cursor;
    if (cursor >= 0) virtual.scrollToIndex(cursor, { align: "auto" });
  }, [cursor, virtual]);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(t);
  }, []);

  return (
    <section className={classes.frame} data-testid="queue-scroller" aria-label={label}>
      <div className={`${classes.row} ${classes.head}`} aria-hidden>
        <span />
        <span>Key</span>
        <span>Item and next action</span>
        <span className={classes.wide}>Step</span>
        <span className={classes.wide}>Assignee</span>
        <span>Due / waiting</span>
        <span />
      </div>
      <ul
        ref={list}
        className={classes.list}
        style={{ height: virtual.getTotalSize() }}
        aria-label={label}
      >
        {virtual.getVirtualItems().map((v) => {
          const item = items[v.index];
          if (!item) return null;
          return (
            <Row
              key={v.key}
              item={item}
              assignee={item.assignee ? names.person(item.assignee) : null}
              index={v.index}
              start={v.start - virtual.options.scrollMargin}
              count={items.length}
              isCursor={v.index === cursor}
              isSelected={selected.has(item.key)}
              busy={busyKeys.has(item.key)}
              now={now}
              onCursor={onCursor}
              onToggle={onToggle}
              quickAction={quickAction}
            />
          );
        })}
      </ul>
    </section>
  );
}
