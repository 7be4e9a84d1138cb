import { availableParallelism } from "node:os";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { DomainError } from "../domain/errors.ts";

/*
 * Argon2 is deliberately expensive (tens of ms of a core per hash or check). Unbounded, a flood of
 * sign-ins saturates every core and starves the handoff path; so at most `concurrency` run at
 * once (the CPU is the process's, so the limit is too), a few more wait, and the rest are refused
 * with `rate_limited` at once instead of piling up.
 */

let concurrency = Math.max(1, Math.floor(availableParallelism() / 2));
/** Waiting checks beyond this are refused: a queue longer than a second or so only adds latency. */
let maxWaiting = 32;
let running = 0;
const waiting: (() => void)[] = [];

/** Sets how many password hashes or checks run at once, and how many may wait. */
export function limitPasswordWork(options: { concurrency?: number; maxWaiting?: number }): void {
  if (options.concurrency !== undefined) concurrency = Math.max(1, options.concurrency);
  if (options.maxWaiting !== undefined) maxWaiting = Math.max(0, options.maxWaiting);
}

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= concurrency) {
    if (waiting.length >= maxWaiting)
      throw new DomainError("rate_limited", "Too many password checks at once; try again.", {
        retry_after: 1,
      });
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter (running stays the same), or free it.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** An argon2id hash of `password`. */
export function hashPassword(password: string): Promise<string> {
  return withSlot(() => argon2Hash(password));
}

/** Whether `password` matches `hash`; a malformed hash is a mismatch. */
export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return withSlot(() => argon2Verify(hash, password).catch(() => false));
}
