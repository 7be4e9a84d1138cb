import { DomainError } from "../domain/errors.ts";
import type { Db } from "../store/db.ts";
import * as store from "../store/views.ts";
import type { Directory, Principal } from "./directory.ts";

/*
 * Saved views: a user keeps list filters under a name, for themself or shared with one of their
 * teams. Who sees a view: its owner and the members of the team it is shared with. Who deletes
 * it: its owner, a lead of that team, or an admin.
 */

/** Saved views one user may own. */
export const VIEWS_PER_USER = 100;

export type View = store.StoredView;

export class Views {
  constructor(
    private readonly db: Db,
    private readonly directory: Directory,
  ) {}

  /** The caller's views and those shared with their teams, oldest first. */
  list(by: Principal): Promise<View[]> {
    return store.listViews(this.db, { userId: by.user.id, teams: by.teams });
  }

  async create(
    by: Principal,
    input: { name: string; query: Record<string, string>; team?: string | null | undefined },
  ): Promise<View> {
    const team = input.team ?? null;
    if (team !== null) {
      await this.directory.getTeam(team); // an unknown team is a 404
      if (!by.teams.includes(team) && !by.isAdmin)
        throw new DomainError(
          "not_your_team",
          `Only members of ${team} can share a view with it.`,
          { team, errors: [{ path: "team", message: "must be one of your teams" }] },
        );
    }
    if ((await store.countViews(this.db, by.user.id)) >= VIEWS_PER_USER)
      throw new DomainError(
        "invalid_input",
        `You have ${VIEWS_PER_USER} saved views, the most one person may keep; delete one first.`,
        { errors: [{ path: "name", message: `at most ${VIEWS_PER_USER} views per user` }] },
      );
    const id = await store.insertView(this.db, {
      userId: by.user.id,
      team,
      name: input.name,
      query: input.query,
    });
    return this.get(by, id);
  }

  /** One view the caller may see; another's private view is not found. */
  async get(by: Principal, id: string): Promise<View> {
    const view = await store.findView(this.db, id);
    if (!view || !canSee(by, view)) throw new DomainError("not_found", `No saved view ${id}.`);
    return view;
  }

  async delete(by: Principal, id: string): Promise<void> {
    const view = await this.get(by, id);
    const isLead =
      view.team !== null && by.user.teams.some((t) => t.key === view.team && t.role === "lead");
    if (!isOwner(by, view) && !isLead && !by.isAdmin)
      throw new DomainError(
        "not_your_view",
        `Only ${view.ownerEmail}, a lead of ${view.team} or an admin can delete the view "${view.name}".`,
        { owner: view.ownerEmail },
      );
    await store.deleteView(this.db, id);
  }
}

function isOwner(by: Principal, view: View): boolean {
  return view.ownerEmail.toLowerCase() === by.email.toLowerCase();
}

function canSee(by: Principal, view: View): boolean {
  return by.isAdmin || isOwner(by, view) || (view.team !== null && by.teams.includes(view.team));
}
