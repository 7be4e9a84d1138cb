import { IconAlertTriangle, IconChartLine, IconClockExclamation } from "@tabler/icons-react";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import {
  type ChangeEvent,
  type FocusEvent,
  type MouseEvent,
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import { useNavigate } from "react-router";
import type { ItemSummary } from "../../api/types.ts";
import { describeDeadline, duration } from "../../lib/format.ts";
import { useNames } from "../../lib/names.ts";
import classes from "./queue-list.module.css";

/*
 * The queue as a virtualised list that scrolls with the page (one scrollbar, no frame ending
 * below the fold): only the rows in view (plus a block either side) are in the DOM, so 3,000
 * items scroll and respond like 30. Rows are plain elements styled by classes (Mantine's Text,
 * Checkbox and Button per row cost a third of each frame), memoised on plain values, with plain
 * links and one set of event handlers for the whole list, and they come and go in blocks, so a
 * scroll frame mostly renders nothing new. The keyboard cursor (`cursor`) is owned by the page.
 */

export const ROW_HEIGHT = 60;

/** Rows come into the page and leave it this many at a time (see the virtualizer below). */
const BLOCK = 8;

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
function DueLine({
  item,
  deadline: d,
  now,
}: {
  item: ItemSummary;
  deadline: ReturnType<typeof describeDeadline>;
  now: number;
}) {
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
  const deadline = describeDeadline(item.next_deadline, now);
  const risk = item.risk ?? null;
  const percent = risk === null ? 0 : Math.round(risk * 100);
  return (
    <div className={classes.dueCell}>
      <DueLine item={item} deadline={deadline} now={now} />
      {risk !== null && risk >= AT_RISK && deadline?.level !== "breached" && (
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

/** What a row's button shows: its label, or (`blocked`) why the usual action must wait. */
interface RowAction {
  label: string;
  blocked: string | null;
}

interface RowProps {
  item: ItemSummary;
  /** The assignee's display name, or null when unassigned. */
  assignee: string | null;
  index: number;
  count: number;
  isCursor: boolean;
  isSelected: boolean;
  busy: boolean;
  now: number;
  /** The quick action's label (the list runs it, see onClick there), or null for none. */
  actionLabel: string | null;
  actionBlocked: string | null;
  /** One handler for every row's checkbox (the row's key is on the `li`). */
  onToggle: (e: ChangeEvent<HTMLInputElement>) => void;
}

/**
 * One row. Its props are plain values, so a row re-renders only when what it shows changes;
 * clicks on its link, button and body are handled once for the whole list (QueueList), and the
 * key is a plain link (a router Link per row cost more than the rest of the row).
 */
const Row = memo(function Row({
  item,
  assignee,
  index,
  count,
  isCursor,
  isSelected,
  busy,
  now,
  actionLabel,
  actionBlocked,
  onToggle,
}: RowProps) {
  return (
    <li
      className={`queue-row ${classes.row}`}
      data-cursor={isCursor}
      data-selected={isSelected}
      data-key={item.key}
      data-index={index}
      aria-current={isCursor ? "true" : undefined}
      aria-posinset={index + 1}
      aria-setsize={count}
      style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
    >
      <input
        type="checkbox"
        className={classes.check}
        aria-label={`Select ${item.key}`}
        checked={isSelected}
        onChange={onToggle}
      />
      <a href={`/items/${item.key}`} className={`item-key ${classes.key}`}>
        {item.key}
      </a>
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
        {actionLabel === null ? null : actionBlocked !== null ? (
          <span
            className={`${classes.small} ${classes.blocked}`}
            title={actionBlocked}
            data-testid="accept-blocked"
            role="note"
            aria-label={`${item.key}: ${actionBlocked}`}
          >
            {actionLabel}
          </span>
        ) : (
          <button
            type="button"
            className={classes.action}
            data-action
            disabled={busy}
            aria-busy={busy || undefined}
            aria-label={`${actionLabel} ${item.key}`}
          >
            {busy ? "…" : actionLabel}
          </button>
        )}
      </span>
    </li>
  );
});

/** The button's label and the reason it waits, as plain values a memoised row can compare. */
function rowAction(action: QuickAction | null): RowAction | null {
  if (!action) return null;
  return { label: action.label, blocked: "blocked" in action ? action.blocked : null };
}

/** A plain left click, which the app handles itself; others (new tab, download) stay the browser's. */
const isPlainClick = (e: MouseEvent<HTMLElement>) =>
  e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;

/** Every block's height: the virtualizer counts blocks of BLOCK rows (the last may be shorter). */
const blockHeight = () => BLOCK * ROW_HEIGHT;

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
  const navigate = useNavigate();
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
  // The virtualizer counts blocks of rows, not rows: the rows in the DOM change only when the
  // window crosses into another block, so most scroll frames render, lay out and paint nothing
  // new (rows changing every 60 px held the queue to half the frame rate of a plain list with the
  // CPU slowed 4×).
  const virtual = useWindowVirtualizer({
    count: Math.ceil(items.length / BLOCK),
    estimateSize: blockHeight,
    overscan: 1,
    scrollMargin: offset,
    // Blocks coming into view render in React's next task, not inside each scroll event.
    useFlushSync: false,
  });
  const blocks = virtual.getVirtualItems();
  const wantFrom = (blocks[0]?.index ?? 0) * BLOCK;
  const wantTo = Math.min(items.length, ((blocks.at(-1)?.index ?? -1) + 1) * BLOCK);
  // A block coming into view renders in a deferred, interruptible render (React yields to the
  // frames meanwhile; the overscan block gives it time) instead of in one long task. A list
  // showing nothing yet (the first render) shows its rows at once.
  const deferredFrom = useDeferredValue(wantFrom);
  const deferredTo = useDeferredValue(wantTo);
  const showing = deferredTo > deferredFrom && deferredFrom < items.length;
  const from = showing ? deferredFrom : wantFrom;
  const to = Math.min(items.length, showing ? deferredTo : wantTo);

  // Follow the cursor when it moves, not when the list mounts: the list opens at the top of the
  // page. A row above the window comes in under the sticky headers; one below, at the bottom.
  const shownCursor = useRef(cursor);
  useEffect(() => {
    if (cursor === shownCursor.current) return;
    shownCursor.current = cursor;
    const el = list.current;
    if (cursor < 0 || !el) return;
    const top = el.getBoundingClientRect().top + cursor * ROW_HEIGHT;
    if (top < STICKY_ABOVE) window.scrollBy({ top: top - STICKY_ABOVE });
    else if (top + ROW_HEIGHT > window.innerHeight)
      window.scrollBy({ top: top + ROW_HEIGHT - window.innerHeight });
  }, [cursor]);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(t);
  }, []);

  // The rows' events, handled once for the list; the latest props through a ref, so the rows'
  // handler never changes and their memo holds when the page re-renders.
  const latest = useRef({ items, onCursor, onToggle, quickAction, navigate });
  latest.current = { items, onCursor, onToggle, quickAction, navigate };
  const rowOf = (target: EventTarget) => {
    const li = (target as HTMLElement).closest<HTMLElement>("li[data-index]");
    const index = Number(li?.dataset.index ?? -1);
    const item = latest.current.items[index];
    return item && item.key === li?.dataset.key ? { index, item } : null;
  };
  const toggleRow = useCallback((e: ChangeEvent<HTMLInputElement>) => {
    const key = e.currentTarget.closest<HTMLElement>("li[data-key]")?.dataset.key;
    if (key) latest.current.onToggle(key);
  }, []);
  const onClick = (e: MouseEvent<HTMLUListElement>) => {
    const target = e.target as HTMLElement;
    const row = rowOf(target);
    if (!row) return;
    if (target.closest("button[data-action]")) {
      const action = latest.current.quickAction(row.item);
      if (action && "run" in action) action.run();
      return;
    }
    const link = target.closest<HTMLAnchorElement>("a.item-key");
    if (link) {
      // As a router Link does: the app opens the item; a new tab or window is the browser's.
      if (e.defaultPrevented || !isPlainClick(e)) return;
      e.preventDefault();
      void latest.current.navigate(`/items/${row.item.key}`);
      return;
    }
    // Clicking a row moves the cursor; keyboard users move it with j/k (see useQueueKeys).
    if (!target.closest("button, input")) onCursor(row.index);
  };
  const onFocus = (e: FocusEvent<HTMLUListElement>) => {
    if (!(e.target as HTMLElement).matches("a.item-key")) return;
    const row = rowOf(e.target);
    if (row) onCursor(row.index);
  };

  // The rows of the blocks in view, and the cursor's row wherever it is, so the row holding
  // focus stays in the page while the list scrolls away from it.
  const shown: number[] = [];
  if (cursor >= 0 && cursor < from && items[cursor]) shown.push(cursor);
  for (let i = from; i < to; i++) shown.push(i);
  if (cursor >= to && items[cursor]) shown.push(cursor);

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
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the rows' links and buttons are the
          keyboard's way in; a click on a row's body only moves the cursor (j/k do that). */}
      <ul
        ref={list}
        className={classes.list}
        style={{ height: items.length * ROW_HEIGHT }}
        aria-label={label}
        onClick={onClick}
        onFocus={onFocus}
      >
        {shown.map((index) => {
          const item = items[index] as ItemSummary;
          const action = rowAction(quickAction(item));
          return (
            <Row
              key={item.key}
              item={item}
              assignee={item.assignee ? names.person(item.assignee) : null}
              index={index}
              count={items.length}
              isCursor={index === cursor}
              isSelected={selected.has(item.key)}
              busy={busyKeys.has(item.key)}
              now={now}
              actionLabel={action?.label ?? null}
              actionBlocked={action?.blocked ?? null}
              onToggle={toggleRow}
            />
          );
        })}
      </ul>
    </section>
  );
}
