/** The background workers a node can run (BATON_WORKERS); each is safe on any number of nodes. */
export const WORKERS = ["timers", "notifications", "deliveries", "metrics"] as const;
export type Worker = (typeof WORKERS)[number];
