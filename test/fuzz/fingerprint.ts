/*
 * A cheap fingerprint of everything a request could change: counts, version sums and digests of
 * the directory, workflows, items (with their questions and meetings), events, tokens, sessions,
 * the outbox, and the next value of every item-number sequence (a failed create must not consume
 * a number). One query, a few milliseconds on the fuzzer's small world. Left out on purpose:
 * timers and the items' stored urgency, which a calendar change recomputes in the background
 * after its 200 has been sent.
 */

export const FINGERPRINT_SQL = `
select json_build_object(
  'teams', (select json_build_array(count(*),
      md5(coalesce(string_agg(key || '|' || name || '|' || coalesce(calendar::text, ''), ',' order by key), '')))
    from teams),
  'members', (select json_build_array(count(*),
      md5(coalesce(string_agg(team_key || '|' || user_id || '|' || role, ',' order by team_key, user_id), '')))
    from team_members),
  'users', (select json_build_array(count(*),
      md5(coalesce(string_agg(email || '|' || name || '|' || is_admin || '|' || coalesce(password_hash, ''), ',' order by id), '')))
    from users),
  'tokens', (select json_build_array(count(*), count(revoked_at), coalesce(max(id), 0)) from api_tokens),
  'sessions', (select count(*) from sessions),
  'workflows', (select json_build_array(count(*), coalesce(sum(current_version), 0)) from workflows),
  'workflow_versions', (select json_build_array(count(*), coalesce(max(version), 0)) from workflow_versions),
  'items', (select json_build_array(count(*), coalesce(sum(version), 0), coalesce(max(version), 0),
      coalesce(sum(json_array_length(doc -> 'questions')), 0),
      coalesce(sum(json_array_length(doc -> 'meetings')), 0))
    from items),
  'events', (select json_build_array(count(*), coalesce(max(seq), 0)) from events),
  'outbox', (select count(*) from outbox),
  'sequences', (select coalesce(json_object_agg(sequencename, last_value order by sequencename), '{}')
    from pg_sequences where sequencename like 'item_seq_%')
)::text as fingerprint`;

/** Runs a query and returns its rows (a pg client, a pool or Kysely, adapted by the caller). */
export type Query = (text: string) => Promise<{ fingerprint: string }[]>;

/** The state fingerprint as text; equal texts mean nothing that matters changed. */
export async function readFingerprint(query: Query): Promise<string> {
  const rows = await query(FINGERPRINT_SQL);
  return rows[0]?.fingerprint ?? "";
}

/** Names the parts of two fingerprints that differ, for a failure report. */
export function fingerprintDiff(before: string, after: string): string {
  const a = JSON.parse(before) as Record<string, unknown>;
  const b = JSON.parse(after) as Record<string, unknown>;
  return Object.keys({ ...a, ...b })
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`)
    .join("; ");
}
