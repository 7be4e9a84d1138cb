/* An event as a log's reader hands it on, before the miner checks it (read-log.ts). */

/** The fields of one event as read; undefined where the log has none. */
export interface RawEvent {
  case: string | undefined;
  activity: string | undefined;
  timestamp: string | undefined;
  team: string | undefined;
  resource: string | undefined;
  lifecycle: string | undefined;
}

// Slots of the values an event needs, in RawEvent order.
export const SLOTS = ["case", "activity", "timestamp", "team", "resource", "lifecycle"] as const;
export type Slot = (typeof SLOTS)[number];

/** Which attribute holds each slot; `case:` names are looked up on the trace as well. */
export type SlotMapping = { [S in Slot]: string | undefined };
