import { createHash, randomUUID } from "node:crypto";
import type { Clock } from "../domain/clocks.ts";
import { type CurrentComment, commentsOf } from "../domain/comments.ts";
import { type Command, decide } from "../domain/decide.ts";
import { DomainError } from "../domain/errors.ts";
import {
  cleanFileName,
  cleanMediaType,
  FILE_LIMITS,
  type FileRef,
  type StoredFile,
} from "../domain/files.ts";
import { evolve, type Item, type ItemEvent, type ItemStatus } from "../domain/item.ts";
import { notifiable } from "../domain/notify.ts";
import type { WorkflowDef } from "../domain/workflow.ts";
import { type Db, inTransactionScope } from "../store/db.ts";
import * as files from "../store/files.ts";
import * as store from "../store/items.ts";
import { afterCommit } from "../store/scope.ts";
import { findItems } from "../store/search.ts";
import { LruCache } from "./cache.ts";
import { type ChangeFeed, changeOf } from "./changes.ts";
import type { Directory, Principal } from "./directory.ts";
import type { ServiceLevels } from "./service-levels.ts";
import type { Workflows } from "./workflows.ts";

/*
 * Item commands: load → decide → append events and projection in one atomic statement that
 * writes only if the item is still at the version the command was decided on. The load is
 * usually skipped: each node remembers the items it recently wrote or read, and a command is
 * first decided on that copy — one round trip in all. If the copy was stale (another node or
 * the timer worker wrote since), the write matches nothing and the command is decided again on
 * a fresh read. A command that loses a race to another writer fails with version_conflict if the
 * caller sent If-Match (it asked for exactly that version); otherwise it is decided again on the
 * latest state under the row lock, so the rules are re-checked and nothing is merged blindly.
 */

/** Items a node remembers for its next commands (a few MB). */
const RECENT_ITEMS = 2_000;

/** An item with the workflow version it runs on: everything needed to present it. */
export interface ItemView {
  item: Item;
  def: WorkflowDef;
  /** The clocks the item shows, when a command just computed them (at its own instant). */
  clocks?: Clock[] | undefined;
}

/**
 * Commands that act on an existing item (all but create), as callers give them: what the rules
 * need besides (an assignee's teams, the comment a change names, the version to migrate to) is
 * resolved here.
 */
export type ItemCommand =
  | Exclude<Command, { type: "create" | "assign" | "migrate" | "edit_comment" | "delete_comment" }>
  | { type: "assign"; email: string | null }
  | { type: "edit_comment"; comment: number; body: string }
  | { type: "delete_comment"; comment: number }
  /** To the workflow's current version. */
  | { type: "migrate" };

/** What a list of items may be narrowed by; every filter is optional, together they AND. */
export interface ItemListFilter {
  /** Search words (titles, field values, comments; each a prefix); an exact key comes first. */
  q?: string | undefined;
  /** The team that moves next. */
  team?: string | undefined;
  /** A team that owned or was handed the item. */
  involves?: string | undefined;
  state?: ItemStatus[] | undefined;
  workflow?: string | undefined;
  assignee?: string | undefined;
  /** Open items whose worst running clock is in one of these states. */
  sla?: ("breached" | "warning")[] | undefined;
  /** Current field values, compared as text. */
  fields?: { key: string; value: string }[] | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  updatedAfter?: string | undefined;
  updatedBefore?: string | undefined;
  /** Created at least / at most this many days ago. */
  minAgeDays?: number | undefined;
  maxAgeDays?: number | undefined;
}

/** What an item key looks like (a workflow prefix, a dash, a number), in any case. */
const itemKeyPattern = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,10}$/;

const queueSections = [
  "incoming",
  "in_progress",
  "waiting_on_others",
  "paused",
  "questions",
  "stalled",
] as const;

/** What a command left: the row it wrote and the type of its last event (none for a no-op). */
interface Written {
  id: string;
  /** Whether the item may have unfired timers now, and whether it has a deadline (see LoadedItem). */
  timed: boolean;
  deadline: boolean;
  changed?: string | undefined;
  /** Whether the write put rows in the outbox (the notification worker is woken). */
  notified?: boolean;
}

export type QueueSections = Record<(typeof queueSections)[number], ItemView[]>;

export class Items {
  /** Recently written or read items by key, at the version seen; only ever a first guess. */
  private readonly recent = new LruCache<string, store.LoadedItem>(RECENT_ITEMS);

  constructor(
    private readonly db: Db,
    private readonly directory: Directory,
    private readonly workflows: Workflows,
    private readonly changes: ChangeFeed,
    private readonly sla: ServiceLevels,
    private readonly clock: () => Date,
    /** Called once a write that put rows in the outbox committed. */
    private readonly onOutbox: () => void = () => {},
    /** Called with the item (and its row id) as a command committed it. */
    private readonly onCommitted: (written: { itemId: string; item: Item }) => void = () => {},
  ) {}

  async create(
    by: Principal,
    input: {
      workflow: string;
      title: string;
      fields?: Record<string, unknown>;
      due?: string | null;
    },
  ): Promise<ItemView> {
    const wf = await this.workflows.get(input.workflow);
    const def = wf.definition;
    const cmd = {
      type: "create",
      key: "",
      title: input.title,
      workflowVersion: wf.version,
      fields: input.fields,
      due: input.due,
    } as const;
    // The key's number is taken by the insert itself: the item is decided with a placeholder key,
    // which the statement replaces, and decided again (the same instant) with the key it got.
    const now = this.clock();
    const at = now.toISOString();
    const draft = (key: string) => {
      const events = this.stamp(decide(null, { ...cmd, key }, { actor: by, def, now }), by, at);
      return { events, item: events.reduce<Item | null>(evolve, null) as Item };
    };
    const placeholder = `${def.prefix}-${randomUUID()}`;
    const first = draft(placeholder);
    const sla = await this.sla.slaOf(first.item, def);
    const { id, key } = await store.insertItem(
      this.db,
      { prefix: def.prefix, placeholder },
      first.item,
      first.events,
      sla,
    );
    const { item } = draft(key);
    this.recent.set(key, {
      id,
      item,
      timed: sla.timers.length > 0,
      deadline: sla.nextDueAt !== null,
    });
    afterCommit(() => this.onCommitted({ itemId: id, item }));
    this.changes.publish(changeOf(item, "item.created"));
    return { item, def, clocks: sla.clocks };
  }

  async run(
    by: Principal,
    key: string,
    command: ItemCommand,
    expectedVersion?: number,
  ): Promise<ItemView> {
    let cmd: Command;
    if (command.type === "assign")
      cmd = {
        ...command,
        assigneeTeams:
          command.email === null
            ? []
            : (await this.directory.getUser(command.email)).teams.map((t) => t.key),
      };
    else if (command.type === "migrate") {
      // The workflow of an item never changes, so the one read here is the one decided on.
      const { item } = await this.load(key);
      const wf = await this.workflows.get(item.workflow);
      cmd = { type: "migrate", toVersion: wf.version, toDef: wf.definition };
    } else if (command.type === "edit_comment" || command.type === "delete_comment") {
      // The comment is read from the log at a version, and the change is decided at that version
      // only: a comment deleted in between cannot be deleted (or edited) twice.
      const found = await store.findComment(this.db, key, command.comment);
      if (!found) throw new DomainError("not_found", `No item "${key}".`);
      if (expectedVersion !== undefined && expectedVersion !== found.version)
        throw new DomainError(
          "version_conflict",
          `${key} changed since you read it (you had version ${expectedVersion}, it is now ${found.version}). Reload and try again.`,
          { current_version: found.version },
        );
      expectedVersion = found.version;
      cmd = { ...command, target: found.comment };
    } else cmd = command;
    if (cmd.type === "ask") await this.directory.getTeam(cmd.toTeam); // an unknown team is a 404
    // Meetings name people; the domain checks them against what the directory knows.
    if (cmd.type === "schedule_meeting" && cmd.attendees)
      cmd = { ...cmd, known: await this.directory.knownPeople(cmd.attendees) };
    if (cmd.type === "meeting_held")
      cmd = { ...cmd, known: await this.directory.knownPeople(cmd.attended ?? []) };
    // Fastest path: decided on the copy this node remembers; any doubt (a stale copy may refuse
    // wrongly, or see nothing to do) is settled on a fresh read.
    const recent = this.recent.get(key);
    if (recent) {
      const done = await this.decideAndAppend(this.db, recent, by, cmd, expectedVersion).catch(
        (e: unknown) => {
          if (e instanceof DomainError) return undefined;
          throw e;
        },
      );
      if (done?.changed) return this.published(key, done);
      this.recent.delete(key);
    }
    // Fast path: read, decide, write if nobody wrote in between (one round trip each).
    const first = await this.load(key);
    const done = await this.decideAndAppend(this.db, first, by, cmd, expectedVersion);
    if (done) return this.published(key, done);
    if (expectedVersion !== undefined)
      throw new DomainError(
        "version_conflict",
        `${key} was changed by someone else at the same moment. Reload and try again.`,
      );
    // Contended: decide again on the latest state while holding the row lock.
    const view = await store.withLockedItem(this.db, key, async (row, tx) => {
      if (!row) throw new DomainError("not_found", `No item "${key}".`);
      const view = await this.decideAndAppend(tx, row, by, cmd, undefined);
      if (!view) throw new Error(`${key} changed while locked`);
      return view;
    });
    return this.published(key, view); // only now: the transaction has committed
  }

  /** Remembers the item and tells the live feed about a committed change (none for a no-op). */
  private published(key: string, view: ItemView & Written): ItemView {
    this.recent.set(key, {
      id: view.id,
      item: view.item,
      timed: view.timed,
      deadline: view.deadline,
    });
    if (view.changed) {
      const { id, item } = view;
      afterCommit(() => this.onCommitted({ itemId: id, item }));
      this.changes.publish(changeOf(item, view.changed));
    }
    if (view.notified) afterCommit(this.onOutbox);
    return { item: view.item, def: view.def, clocks: view.clocks };
  }

  /** Decides and appends; undefined when the item moved past the version it was decided on. */
  private async decideAndAppend(
    db: Db,
    { id, item, timed, deadline }: store.LoadedItem,
    by: Principal,
    cmd: Command,
    expectedVersion: number | undefined,
  ): Promise<(ItemView & Written) | undefined> {
    const def = await this.workflows.definition(item.workflow, item.workflowVersion);
    // One instant for the rules and the events' stamps.
    const now = this.clock();
    const events = this.stamp(
      decide(item, cmd, { actor: by, def, expectedVersion, now }),
      by,
      now.toISOString(),
    );
    if (events.length === 0) return { id, item, def, timed, deadline };
    const { next, outbox } = withOutbox(item, events);
    // A migration moves the item onto another version: its clocks follow the new definition.
    const nextDef =
      next.workflowVersion === item.workflowVersion
        ? def
        : await this.workflows.definition(next.workflow, next.workflowVersion);
    const sla = await this.sla.slaOf(next, nextDef);
    // Work handed on without deadlines leaves its stall timer as stored (one timer write per
    // idle spell, not per command): the worker moves it on when it comes due.
    const timersStand =
      !deadline && (await this.sla.timersStand({ item, def }, { item: next, sla }));
    const write = {
      id,
      fromVersion: item.version,
      timed,
      timersStand,
      item: next,
      events,
      sla,
      outbox,
    };
    if (!(await store.appendEvents(db, write))) return undefined;
    return {
      id,
      item: next,
      def: nextDef,
      clocks: sla.clocks,
      timed: sla.timers.length > 0,
      deadline: sla.nextDueAt !== null,
      changed: events.at(-1)?.type,
      notified: outbox.length > 0,
    };
  }

  private stamp(
    bodies: ReturnType<typeof decide>,
    by: Principal,
    at = this.clock().toISOString(),
  ): ItemEvent[] {
    return bodies.map((b) => ({ ...b, actor: by.email, at }) as ItemEvent);
  }

  private async load(key: string): Promise<store.LoadedItem> {
    const row = await store.findItem(this.db, key);
    if (!row) throw new DomainError("not_found", `No item "${key}".`);
    this.recent.set(key, row);
    return row;
  }

  /**
   * Stores an uploaded file and records it on the item (into `field`, a file field, when given):
   * the bytes and the `file.attached` event commit together or not at all.
   */
  async attach(
    by: Principal,
    key: string,
    upload: {
      name: string;
      contentType: string | undefined;
      data: Buffer;
      field?: string | undefined;
    },
    expectedVersion?: number,
  ): Promise<ItemView & { file: StoredFile }> {
    const named = cleanFileName(upload.name);
    if ("problem" in named)
      throw new DomainError("invalid_input", `The upload was refused: ${named.problem}.`, {
        errors: [{ path: "file", message: named.problem }],
      });
    if (upload.data.length === 0)
      throw new DomainError("invalid_input", "The upload was refused: the file is empty.", {
        errors: [{ path: "file", message: "the file is empty" }],
      });
    const file: FileRef = {
      file_id: randomUUID(),
      name: named.name,
      size: upload.data.length,
      content_type: cleanMediaType(upload.contentType),
      sha256: createHash("sha256").update(upload.data).digest("hex"),
    };
    const at = this.clock().toISOString();
    try {
      const view = await inTransactionScope(this.db, async () => {
        const { id } = await this.load(key);
        if ((await files.countFiles(this.db, id)) >= FILE_LIMITS.perItem)
          throw new DomainError(
            "invalid_input",
            `${key} already holds ${FILE_LIMITS.perItem} files, the most one item may hold.`,
            {
              errors: [
                { path: "file", message: `an item holds at most ${FILE_LIMITS.perItem} files` },
              ],
            },
          );
        await files.insertFile(this.db, id, file, upload.data, by.email, at);
        return this.run(
          by,
          key,
          { type: "attach_file", file, field: upload.field },
          expectedVersion,
        );
      });
      return { ...view, file: { ...file, uploaded_by: by.email, uploaded_at: at } };
    } catch (e) {
      this.recent.delete(key); // it may hold the version that was rolled back
      throw e;
    }
  }

  /** An item's files, oldest first. */
  async files(key: string): Promise<StoredFile[]> {
    const { id } = await this.load(key);
    return files.listFiles(this.db, id);
  }

  /** One of an item's files with its bytes. */
  async file(key: string, fileId: string): Promise<StoredFile & { data: Buffer }> {
    const { id } = await this.load(key);
    const found = await files.readFile(this.db, id, fileId);
    if (!found) throw new DomainError("not_found", `${key} has no file "${fileId}".`);
    return found;
  }

  async get(key: string): Promise<ItemView> {
    const { item } = await this.load(key);
    return { item, def: await this.workflows.definition(item.workflow, item.workflowVersion) };
  }

  async events(key: string): Promise<(ItemEvent & { seq: number })[]> {
    const row = await store.findItem(this.db, key);
    if (!row) throw new DomainError("not_found", `No item "${key}".`);
    return store.listEvents(this.db, row.id);
  }

  /** The item's comments, oldest first, each with its latest text; deleted ones left out. */
  async comments(key: string): Promise<CurrentComment[]> {
    return commentsOf(await this.events(key)).filter((c) => !c.deleted);
  }

  private async withDefs(rows: store.StoredItem[]): Promise<ItemView[]> {
    return Promise.all(
      rows.map(async ({ item }) => ({
        item,
        def: await this.workflows.definition(item.workflow, item.workflowVersion),
      })),
    );
  }

  /**
   * Items across teams by filters and search words (see store/search.ts); ages count back from
   * the engine's clock.
   */
  async list(f: ItemListFilter & { limit?: number | undefined }): Promise<ItemView[]> {
    const now = this.clock().getTime();
    const ago = (days: number) => new Date(now - days * 86_400_000).toISOString();
    const earliest = (a: string | undefined, b: string | undefined) =>
      a === undefined ? b : b === undefined || a < b ? a : b;
    const latest = (a: string | undefined, b: string | undefined) =>
      a === undefined ? b : b === undefined || a > b ? a : b;
    const q = f.q?.trim() || undefined;
    const rows = await findItems(this.db, {
      q,
      exactKey: q && itemKeyPattern.test(q) ? q.toUpperCase() : undefined,
      team: f.team,
      involves: f.involves,
      status: f.state,
      workflow: f.workflow,
      assignee: f.assignee,
      urgency: f.sla?.map((s) => (s === "breached" ? 0 : 1)),
      fields: f.fields,
      createdAfter: latest(
        f.createdAfter,
        f.maxAgeDays === undefined ? undefined : ago(f.maxAgeDays),
      ),
      createdBefore: earliest(
        f.createdBefore,
        f.minAgeDays === undefined ? undefined : ago(f.minAgeDays),
      ),
      updatedAfter: f.updatedAfter,
      updatedBefore: f.updatedBefore,
      limit: f.limit ?? 100,
    });
    return this.withDefs(rows);
  }

  /**
   * A team's view of the work: what to accept, what it holds, what it sent on and waits for,
   * what is paused, questions to answer, and what is stalled (in its hands and breached, or
   * stalled by its workflow's rule — `stall_after` of business time without activity — or, when
   * `stalledAfterDays` is given, untouched for that many wall-clock days). With `keys`, only
   * those items, in the sections they are in now (a client patching the queue it holds).
   */
  async queue(
    team: string,
    {
      limit = 500,
      stalledAfterDays,
      keys,
    }: { limit?: number; stalledAfterDays?: number; keys?: readonly string[] | undefined } = {},
  ): Promise<QueueSections> {
    if (!(await this.directory.hasTeam(team)))
      throw new DomainError("not_found", `No team "${team}".`);
    const stalledBefore =
      stalledAfterDays === undefined
        ? undefined
        : new Date(this.clock().getTime() - stalledAfterDays * 86_400_000).toISOString();
    const sections = await store.listQueue(this.db, { team, limit, stalledBefore, keys });
    const views = await Promise.all(
      queueSections.map(async (name) => [name, await this.withDefs(sections[name])] as const),
    );
    return Object.fromEntries(views) as QueueSections;
  }

  /**
   * Stalled work across teams (or of one team, one workflow), most stalled first: each item with
   * where it sits and since when nothing has happened (see stallOf).
   */
  async stalled(filter: {
    team?: string | undefined;
    workflow?: string | undefined;
    limit?: number | undefined;
  }): Promise<(ItemView & { stalledAt: string })[]> {
    // A team or workflow that does not exist is a mistake to name, not an empty list.
    if (filter.team !== undefined && !(await this.directory.hasTeam(filter.team)))
      throw new DomainError("not_found", `No team "${filter.team}".`);
    if (filter.workflow !== undefined) await this.workflows.get(filter.workflow);
    const rows = await store.listStalled(this.db, {
      team: filter.team,
      workflow: filter.workflow,
      limit: filter.limit ?? 100,
    });
    const views = await this.withDefs(rows);
    return views.map((v, i) => ({
      ...v,
      stalledAt: (rows[i] as store.StalledRow).stalledAt.toISOString(),
    }));
  }
}

/**
 * Applies a command's events and picks the notifiable ones for the outbox (written in the same
 * statement as the events, fanned out after commit by the notification worker).
 */
export function withOutbox(
  item: Item,
  events: readonly ItemEvent[],
): { next: Item; outbox: store.OutboxEntry[] } {
  let next = item;
  const outbox: store.OutboxEntry[] = [];
  for (const [i, e] of events.entries()) {
    const before = next;
    next = evolve(next, e);
    const n = notifiable(e, before, next);
    if (n) outbox.push({ seq: item.version + 1 + i, kind: n.kind, watch: n.watch });
  }
  return { next, outbox };
}
