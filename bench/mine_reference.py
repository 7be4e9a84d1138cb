#!/usr/bin/env python3
"""The same counts as `baton mine FILE --json`, in plain standard-library Python.

The benchmark's yardstick (bench/mine.ts runs it in the same session as Baton, interleaved):
streams an XES or XES.gz file with xml.etree.ElementTree.iterparse (the C expat parser),
clearing each trace once read, and computes cases, events, teams, direct successions,
handoffs, handoff pairs with transfer-gap and pickup percentiles, ping-pong and revisit cases,
and team paths by the definitions in docs/mining.md. Prints one JSON object.

    python3 bench/mine_reference.py FILE.xes.gz          # ElementTree.iterparse
    python3 bench/mine_reference.py --sax FILE.xes.gz    # xml.sax with a ContentHandler

Two readers because both are "the standard library way": iterparse builds elements in C and
is the faster; xml.sax calls a Python method for every element, as saxes calls a JavaScript
handler. The counting after the parse is the same code.
"""

import gzip
import json
import math
import re
import sys
import xml.etree.ElementTree as ET
import xml.sax
from datetime import datetime

STAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_time(text):
    m = STAMP.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    s = int(m.group(6) or 0)
    frac = m.group(7)
    # Seconds since the epoch in UTC, computed by hand (datetime.timestamp would use local time).
    days = (datetime(y, mo, d) - datetime(1970, 1, 1)).days
    t = ((days * 24 + h) * 60 + mi) * 60 + s
    ms = t * 1000.0
    if frac:
        ms += float("0." + frac) * 1000
    zone = m.group(8)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 60 + int(digits[2:] or 0)) * 60000
    return ms


def nearest_rank(values, p):
    values = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[rank - 1]


def traces_iterparse(f):
    """Each trace as a list of (time, file position, team)."""
    case_events = []
    depth = 0
    for kind, elem in ET.iterparse(f, events=("start", "end")):
        if kind == "start":
            depth += 1
            continue
        depth -= 1
        if elem.tag == "event" and depth == 2:
            attrs = {c.get("key"): c.get("value") for c in elem}
            t = parse_time(attrs.get("time:timestamp", ""))
            if t is not None:
                case_events.append((t, len(case_events), attrs.get("org:group") or None))
            elem.clear()
        elif elem.tag == "trace" and depth == 1:
            yield case_events
            case_events = []
            elem.clear()


class TraceHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.traces = []
        self.case_events = []
        self.attrs = None

    def startElement(self, name, attrs):
        self.depth += 1
        if self.depth == 3 and name == "event":
            self.attrs = {}
        elif self.depth == 4 and self.attrs is not None:
            key = attrs.get("key")
            if key is not None:
                self.attrs[key] = attrs.get("value")

    def endElement(self, name):
        if self.depth == 3 and name == "event" and self.attrs is not None:
            t = parse_time(self.attrs.get("time:timestamp", ""))
            if t is not None:
                self.case_events.append((t, len(self.case_events), self.attrs.get("org:group") or None))
            self.attrs = None
        elif self.depth == 2 and name == "trace":
            self.traces.append(self.case_events)
            self.case_events = []
        self.depth -= 1


def traces_sax(f):
    handler = TraceHandler()
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    while True:
        chunk = f.read(256 * 1024)
        if not chunk:
            break
        parser.feed(chunk)
        # Hand over the traces completed so far, so memory stays per trace.
        done, handler.traces = handler.traces, []
        yield from done
    parser.close()
    yield from handler.traces


def main(path, reader):
    opener = gzip.open if path.endswith(".gz") else open
    cases = events = successions = handoffs = ping_pong = revisit = 0
    teams = set()
    pairs = {}
    gaps = {}
    pickups = {}
    paths = {}
    with opener(path, "rb") as f:
        for case_events in reader(f):
            if not case_events:
                continue
            cases += 1
            events += len(case_events)
            case_events.sort()
            seq = [(t, team) for t, _, team in case_events if team is not None]
            for k in range(len(seq) - 1):
                successions += 1
                a, b = seq[k][1], seq[k + 1][1]
                pairs[(a, b)] = pairs.get((a, b), 0) + 1
                if a != b:
                    handoffs += 1
                    gaps.setdefault((a, b), []).append(seq[k + 1][0] - seq[k][0])
                    if k + 2 < len(seq) and seq[k + 2][1] == b:
                        pickups.setdefault((a, b), []).append(seq[k + 2][0] - seq[k + 1][0])
            path = []
            for _, team in seq:
                teams.add(team)
                if not path or path[-1] != team:
                    path.append(team)
            if any(path[k] == path[k + 2] for k in range(len(path) - 2)):
                ping_pong += 1
            if len(set(path)) < len(path):
                revisit += 1
            if path:
                paths[tuple(path)] = paths.get(tuple(path), 0) + 1
    handoff_pairs = sorted(
        ((a, b, n) for (a, b), n in pairs.items() if a != b), key=lambda x: (-x[2], x[0], x[1])
    )
    print(
        json.dumps(
            {
                "cases": cases,
                "events": events,
                "teams": len(teams),
                "direct_successions": successions,
                "handoffs": handoffs,
                "ping_pong": ping_pong,
                "revisit": revisit,
                "paths_total": len(paths),
                "pairs": [
                    {
                        "from": a,
                        "to": b,
                        "count": n,
                        "transfer_gap_p50_s": round(nearest_rank(gaps[(a, b)], 50)) / 1000,
                        "transfer_gap_p90_s": round(nearest_rank(gaps[(a, b)], 90)) / 1000,
                        "pickup_n": len(pickups.get((a, b), [])),
                    }
                    for a, b, n in handoff_pairs
                ],
            }
        )
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--sax":
        main(args[1], traces_sax)
    else:
        main(args[0], traces_iterparse)
