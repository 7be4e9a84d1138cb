import { randomBytes } from "node:crypto";
import { DomainError } from "../domain/errors.ts";
import type { Item } from "../domain/item.ts";
import { type StatusView, statusView } from "../domain/status-page.ts";
import type { Db } from "../store/db.ts";
import { findItem } from "../store/items.ts";
import { findShared, insertShare, revokeShares } from "../store/shares.ts";
import { type Directory, hashToken, type Principal } from "./directory.ts";
import type { Forecasts } from "./forecasts.ts";
import type { ServiceLevels } from "./service-levels.ts";
import type { Workflows } from "./workflows.ts";

/*
 * The requester's status link: a token (256 random bits) that lets anyone holding it read a
 * plain-words status of one item (domain/status-page.ts), without an account. Only its SHA-256
 * is stored; revoking stops every link of the item at once.
 */

/** Status links live at most this long when an expiry is asked for (days). */
export const MAX_SHARE_DAYS = 3650;

export class Shares {
  constructor(
    private readonly db: Db,
    private readonly directory: Directory,
    private readonly workflows: Workflows,
    private readonly sla: ServiceLevels,
    private readonly forecasts: Forecasts,
    private readonly clock: () => Date,
    /** Where people open Baton (BATON_PUBLIC_URL); links are made on it when known. */
    readonly publicUrl?: string | undefined,
  ) {}

  /** The link of a token: on the public URL, else on the origin the request came to. */
  urlOf(token: string, requestOrigin: string): string {
    const base = (this.publicUrl ?? requestOrigin).replace(/\/+$/, "");
    return `${base}/status/${token}`;
  }

  /** Anyone on a team the item passed through (or an admin) may share it or stop sharing it. */
  private async itemFor(by: Principal, key: string): Promise<{ id: string }> {
    const row = await findItem(this.db, key);
    if (!row) throw new DomainError("not_found", `No item "${key}".`);
    const isInvolved = by.user.teams.some((t) => row.item.teams.includes(t.key));
    if (!by.isAdmin && !isInvolved)
      throw new DomainError(
        "not_your_team",
        `Only members of the teams ${key} passed through (or an admin) can share its status.`,
      );
    return row;
  }

  /** Makes a new status link; the token is returned once and never again. */
  async share(
    by: Principal,
    key: string,
    { expiresInDays }: { expiresInDays?: number | undefined } = {},
  ): Promise<{ token: string; expiresAt: string | null }> {
    const { id } = await this.itemFor(by, key);
    const now = this.clock();
    const token = randomBytes(32).toString("base64url");
    const expiresAt =
      expiresInDays === undefined
        ? null
        : new Date(now.getTime() + expiresInDays * 86_400_000).toISOString();
    await insertShare(this.db, {
      tokenHash: hashToken(token),
      itemId: id,
      createdBy: by.email,
      at: now.toISOString(),
      expiresAt,
    });
    return { token, expiresAt };
  }

  /** Revokes every status link of the item. */
  async revoke(by: Principal, key: string): Promise<number> {
    const { id } = await this.itemFor(by, key);
    return revokeShares(this.db, { itemId: id, at: this.clock().toISOString() });
  }

  /**
   * The item behind a live token, with the token's hash (what its e-mail subscriptions hang on);
   * not_found for an unknown, revoked or expired token.
   */
  async resolve(token: string): Promise<{ item: Item; shareHash: string }> {
    const now = this.clock();
    // Tokens are base64url of 32 bytes; anything else cannot match and costs no query.
    const shareHash = hashToken(token);
    const item = /^[A-Za-z0-9_-]{43}$/.test(token)
      ? await findShared(this.db, { tokenHash: shareHash, now: now.toISOString() })
      : undefined;
    if (!item) throw new DomainError("not_found", "No such status page.");
    return { item, shareHash };
  }

  /** What the page behind a token shows; not_found for an unknown, revoked or expired token. */
  async status(token: string): Promise<StatusView> {
    return this.viewOf((await this.resolve(token)).item);
  }

  /** What a status page (or a requester's update mail) says about an item now. */
  async viewOf(item: Item): Promise<StatusView> {
    const now = this.clock();
    const def = await this.workflows.definition(item.workflow, item.workflowVersion);
    const [teamName, calendarOf] = await Promise.all([
      this.directory.teamNameOf(),
      this.sla.calendarOf(),
    ]);
    let timezone = "UTC";
    let clocks: Awaited<ReturnType<ServiceLevels["clocks"]>>["current"] = [];
    let forecast: { p50: string; p85: string } | null = null;
    try {
      timezone = calendarOf(item.ownerTeam).timezone;
      clocks = (await this.sla.clocks(item, def, now)).current;
      // Only when no due date promises one: the simulation reads the workflow's history.
      if (!item.due) {
        const { completion } = await this.forecasts.forItem({ item, def });
        if (completion.p50 !== null) forecast = { p50: completion.p50, p85: completion.p85 };
      }
    } catch {
      // A calendar or history that cannot be read costs the page its expected date, not the page.
    }
    return statusView({ item, def, clocks, forecast, teamName, timezone, now });
  }
}
