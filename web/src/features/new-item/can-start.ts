import { useWorkflows } from "../../api/queries.ts";
import { isMemberOf, useMe } from "../auth/session.ts";

/**
 * Whether the signed-in user may start an item in some workflow: a member of the team of its
 * first step (admins may start any). Older servers do not say who starts; then yes.
 */
export function useCanStartItems(): boolean {
  const me = useMe();
  const workflows = useWorkflows();
  if (me.admin) return true;
  // While the list loads, offer nothing rather than a button that turns out to lead nowhere.
  return (workflows.data ?? []).some(
    (w) => w.start_team === undefined || isMemberOf(me, w.start_team),
  );
}
