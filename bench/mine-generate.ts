import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";

/*
 * A synthetic ticket history for the mining benchmark, written as XES the way Disco exports a
 * real one (bpic2013-closed-problems.xes.gz: seven attributes an event, offsets in the
 * timestamps) or as CSV. Deterministic: the same arguments write the same file. Cases wander
 * between a dozen teams with some ping-pong, so every metric has work to do.
 *
 *   node --import tsx bench/mine-generate.ts OUT.xes.gz EVENTS [xes|csv]
 */

/** The teams cases wander between (bench/import.ts makes one Baton team of each). */
export const TEAMS = [
  "Service desk",
  "Org line A2",
  "Org line C",
  "Org line G3",
  "Org line G4",
  "Org line V2",
  "Network",
  "Database",
  "Security",
  "Billing",
  "Field service",
  "Vendor",
];
const ACTIVITIES = [
  "Queued-Awaiting Assignment",
  "Accepted-In Progress",
  "Accepted-Assigned",
  "Accepted-Wait",
  "Completed-Closed",
  "Completed-Cancelled",
];
const RESOURCES = ["Minnie", "Pete", "Sara", "Mike", "Ellen", "Sean", "Sue", "Kim"];

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

/** `2012-03-15T12:53:52.000+02:00`: the instant written in a +02:00 offset. */
function stamp(ms: number): string {
  return `${new Date(ms + 2 * 3_600_000).toISOString().slice(0, 23)}+02:00`;
}

async function put(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, "drain");
}

/** One case: a team path with runs, each run a few events; returns the events written. */
function* cases(events: number, random: () => number) {
  let written = 0;
  let caseNo = 0;
  let start = Date.UTC(2010, 0, 1);
  while (written < events) {
    caseNo++;
    start += Math.floor(random() * 3_600_000);
    let t = start;
    let team = Math.floor(random() * 4);
    const list: { activity: string; team: string; resource: string; time: number }[] = [];
    const want = Math.min(events - written, 2 + Math.floor(random() * 10));
    let previous = -1;
    while (list.length < want) {
      const run = 1 + Math.floor(random() * 3);
      for (let k = 0; k < run && list.length < want; k++) {
        t += Math.floor(random() * 86_400_000);
        list.push({
          activity: ACTIVITIES[Math.floor(random() * ACTIVITIES.length)] as string,
          team: TEAMS[team] as string,
          resource: RESOURCES[Math.floor(random() * RESOURCES.length)] as string,
          time: t,
        });
      }
      // One handoff in five goes back where it came from (ping-pong).
      const next = previous >= 0 && random() < 0.2 ? previous : Math.floor(random() * TEAMS.length);
      previous = team;
      team = next;
    }
    written += list.length;
    yield { id: `1-${100_000_000 + caseNo}`, events: list };
  }
}

/** Writes `events` events to `path` (gzipped when it ends in .gz) as XES or CSV. */
export async function generateLog(
  path: string,
  events: number,
  format: "xes" | "csv" = "xes",
): Promise<void> {
  const file = createWriteStream(path);
  const gz = path.endsWith(".gz") ? createGzip({ level: 6 }) : undefined;
  if (gz) gz.pipe(file);
  const out: Writable = gz ?? file;
  const random = rng(20_130_101);
  if (format === "xes") {
    await put(
      out,
      `<?xml version='1.0' encoding='UTF-8'?>\n<log>\n  <string key="creator" value="baton bench"/>\n  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n`,
    );
    for (const c of cases(events, random)) {
      let s = `  <trace>\n    <string key="concept:name" value="${c.id}"/>\n`;
      for (const e of c.events)
        s +=
          `    <event>\n      <string key="concept:name" value="${esc(e.activity)}"/>\n` +
          `      <string key="lifecycle:transition" value="complete"/>\n` +
          `      <string key="org:resource" value="${esc(`${e.resource}-${e.team}`)}"/>\n` +
          `      <date key="time:timestamp" value="${stamp(e.time)}"/>\n` +
          `      <string key="Activity" value="${esc(e.activity)}"/>\n` +
          `      <string key="Resource" value="${esc(e.resource)}"/>\n` +
          `      <string key="org:group" value="${esc(e.team)}"/>\n    </event>\n`;
      await put(out, `${s}  </trace>\n`);
    }
    await put(out, "</log>\n");
  } else {
    await put(
      out,
      "case:concept:name,concept:name,lifecycle:transition,org:resource,org:group,time:timestamp\n",
    );
    for (const c of cases(events, random)) {
      let s = "";
      for (const e of c.events)
        s += `${c.id},${e.activity},complete,${e.resource},${e.team},${stamp(e.time).replace("T", " ")}\n`;
      await put(out, s);
    }
  }
  out.end();
  await once(file, "close");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, events, format] = process.argv.slice(2);
  if (!path || !events) {
    console.error("usage: mine-generate.ts OUT EVENTS [xes|csv]");
    process.exit(2);
  }
  await generateLog(path, Number(events), format === "csv" ? "csv" : "xes");
}
