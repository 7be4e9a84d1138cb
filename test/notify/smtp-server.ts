import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll } from "vitest";
import type { NotifySettings } from "../../src/engine/engine.ts";

/*
 * A real SMTP server on a loopback port for a test (the `smtp-server` package), keeping every
 * mail it accepted, parsed with `mailparser`. Password auth is required, so a test sees Baton
 * log in with the user and password of BATON_SMTP_URL.
 */

export interface TestSmtp {
  /** `smtp://user:pass@127.0.0.1:port` */
  url: string;
  mails: ParsedMail[];
  /** Wall-clock time each mail was accepted (ms, performance.now()), in order. */
  acceptedAt: number[];
  /** Resolves once `n` mails have arrived (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** The next `n` RCPT TO are refused with this SMTP code (451: try later; 550: no such mailbox). */
  refuseNext(n: number, code: number): void;
  close(): Promise<void>;
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const mails: ParsedMail[] = [];
  const acceptedAt: number[] = [];
  const waiters: (() => void)[] = [];
  let refusals = 0;
  let refusalCode = 451;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "baton" && auth.password === "s3cret")
        return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onRcptTo(_address, _session, callback) {
      if (refusals > 0) {
        refusals--;
        const e = new Error(refusalCode >= 500 ? "No such mailbox" : "Try again later") as Error & {
          responseCode: number;
        };
        e.responseCode = refusalCode;
        return callback(e);
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          acceptedAt.push(performance.now());
          for (const w of waiters.splice(0)) w();
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://baton:s3cret@127.0.0.1:${port}`,
    mails,
    acceptedAt,
    refuseNext(n, code) {
      refusals = n;
      refusalCode = code;
    },
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < n) {
        if (Date.now() > deadline)
          throw new Error(`expected ${n} mails, got ${mails.length} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 100);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A test SMTP server for one test file, and the notify settings that mail through it (`settings`
 * added). Call it before useBaton: its beforeAll runs first, so `notify.smtpUrl` is set when the
 * engine starts. `smtp` is filled in by that beforeAll.
 */
export function useTestSmtp(settings: Partial<NotifySettings> = {}): {
  smtp: TestSmtp;
  notify: NotifySettings;
} {
  const notify: NotifySettings = {
    mailFrom: "Baton <baton@example.com>",
    publicUrl: "https://baton.example.com",
    ...settings,
  };
  const smtp = {} as TestSmtp;
  beforeAll(async () => {
    Object.assign(smtp, await startTestSmtp());
    notify.smtpUrl = smtp.url;
  });
  afterAll(async () => {
    await smtp.close?.();
  });
  return { smtp, notify };
}
