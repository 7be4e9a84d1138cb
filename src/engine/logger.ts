/**
 * What the engine's background work (timer rounds, recomputes) logs through: the server passes
 * its pino logger; tests and tools may pass their own or nothing. Object first, then a message,
 * as pino takes them; errors go under `err` so pino serialises them.
 */
export interface EngineLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Logs nothing. */
export const silentLogger: EngineLogger = { warn: () => {}, error: () => {} };
