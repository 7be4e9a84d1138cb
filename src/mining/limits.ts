/*
 * Bounds of one mining run. An event log is a file from elsewhere: a wrong column mapping (the
 * case id read as the team) or a hostile upload must end in a clear error or a capped figure,
 * never in memory that grows without end. Every limit is far above a real ticket history
 * (BPI Challenge logs have tens of teams and a few thousand paths) and documented in
 * docs/mining.md.
 */

/** The most of each thing one run keeps. */
export const MINING_LIMITS = {
  /** Distinct teams; more is almost always the wrong column mapped as `--team`. */
  teams: 5_000,
  /** Distinct activities kept by name; the rest are counted as "(other)". */
  activities: 100_000,
  /** Distinct resources kept by name; the rest are counted as "(other)". */
  resources: 100_000,
  /** Cases held open at once (CSV keeps every case open until the end of the file). */
  openCases: 5_000_000,
  /** Events of one case. */
  eventsPerCase: 1_000_000,
  /** Characters of one value (case id, team, activity); longer values are cut. */
  valueLength: 1_000,
  /** Distinct team paths counted one by one; cases on further paths are counted together. */
  paths: 100_000,
  /** Teams of a path kept in its key and in examples; longer paths end in "…". */
  pathLength: 50,
  /** Exact duration samples per handoff pair; past this a uniform reservoir sample is kept. */
  samplesPerPair: 50_000,
  /** Example cases listed for ping-pong and revisits. */
  examples: 10,
  /** Handoff pairs listed in a report (ranked by count). */
  pairs: 500,
  /** Paths listed in a report (ranked by cases). */
  reportPaths: 25,
  /** Top activities listed per team. */
  teamActivities: 10,
} as const;

export type MiningLimits = { [K in keyof typeof MINING_LIMITS]: number };
