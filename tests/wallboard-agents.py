#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# wallboard-agents.py: the wallboard's agent chips, "SL interval" and threshold colours in headless Chromium against the generator's truth.
"""Usage: wallboard-agents.py WORKDIR

An agent-model day (ccmetrics-gen --presence register, --agent-states)
replayed by ccmetricsd into two ccmetrics-web at once, each queue with a
configured member list. Read over the DevTools protocol during the replay
and after it, every tile must show:

- the agent chips (available / on call / wrap-up / paused) of the
  generator's agent states of the queue's members at the tile's rt.queue
  moment (at moments with no agent change within 1.5 s before them: the
  daemon publishes a change about 1 s after it; others are not compared);
- "SL interval": the service level of the generator's interval that the
  tile shows (its end), value (to 1e-9: the daemon rounds its ratios) and
  the rounded text.

After the replay, the service level today of each queue is x (the truth);
the first ccmetrics-web has that queue's threshold exactly at x (sales:
amber at x, so green: not below; support: red at x, so amber), the second
just above x, 1e-9 (amber, red; /state.json has 10 significant digits). The SL boxes and the tile itself must
have those classes.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
import wallboard as wb  # noqa: E402

MEMBERS = {"sales": ["1001", "1002", "1003", "1004", "1005", "1006"],
           "support": ["1004", "1005", "1006", "1007", "1008", "1009",
                       "1010"]}
CHIPS = ("available", "on_call", "wrapup", "paused")

READ_JS = r"""(() => {
  const v = (t, cls) => { const e = t.querySelector(cls); return e ? {text: e.textContent, v: e.dataset.v} : null; };
  const lv = (t, cls) => { const e = t.querySelector(cls); return e ? (e.dataset.level || "") : null; };
  return Array.from(document.querySelectorAll(".tile")).map((t) => ({
    queue: t.dataset.queue, level: t.dataset.level, rt_ts: t.dataset.rtTs,
    interval_end: t.dataset.intervalEnd,
    waiting: v(t, ".waiting .val"),
    sl_today: v(t, ".sl-today .val"), sl_interval: v(t, ".sl-interval .val"),
    lv_longest: lv(t, ".longest"), lv_today: lv(t, ".sl-today"),
    lv_interval: lv(t, ".sl-interval"),
    available: v(t, ".chip.available .n"), on_call: v(t, ".chip.on_call .n"),
    wrapup: v(t, ".chip.wrapup .n"), paused: v(t, ".chip.paused .n")
  }));
})()"""


def ms(ts):
    return round(wb.parse_ts(ts).timestamp() * 1000)


def level_sl(v, amber, red):
    """The colour rule of DESIGN.md 8 as docs/wallboard.md states it:
    red below red, amber below amber, else green."""
    if v is None:
        return ""
    return "red" if v < red else "amber" if v < amber else "green"


def worst(*levels):
    for c in ("red", "amber", "green"):
        if c in levels:
            return c
    return ""


class Truth:
    def __init__(self, base):
        self.events = sorted((json.loads(line) for line in open(base + ".st")),
                             key=lambda e: ms(e["ts"]))
        self.times = [ms(e["ts"]) for e in self.events]
        self.iq = {}
        for line in open(base + ".iq"):
            o = json.loads(line)
            self.iq[(o["queue"], o["end"])] = o
        self.queues = sorted({q for q, _ in self.iq})
        self.last_rt = {}
        for line in open(base + ".rt"):
            o = json.loads(line)
            self.last_rt[o["queue"]] = o["ts"]

    def clean(self, t):
        """No agent change in [t - 1.5 s, t)."""
        return not any(t - 1500 <= x < t for x in self.times)

    def chips(self, queue, t):
        st = {}
        for e, x in zip(self.events, self.times):
            if x >= t:
                break
            st[e["agent"]] = e["state"]
        mine = [st[a] for a in MEMBERS[queue] if a in st]
        return {c: mine.count(c) for c in CHIPS}

    def sl_today(self, queue):
        rows = [o for (q, _), o in self.iq.items() if q == queue]
        within = sum(o["answered_within_sl"] for o in rows)
        den = sum(o["answered"] + o["abandoned"] for o in rows)
        return within / den if den else None


def check_tile(t, truth, problems, stats):
    q = t["queue"]
    # SL interval: the truth's interval the tile shows.
    if t["interval_end"]:
        iv = truth.iq.get((q, t["interval_end"]))
        if iv is None:
            problems.append("%s: interval ending %s not in the truth" % (
                q, t["interval_end"]))
        else:
            sl = iv["service_level"]
            got = t["sl_interval"]
            ok = (got["v"] == "" and got["text"] == "—") if sl is None else (
                got["v"] != "" and abs(float(got["v"]) - sl) < 1e-9 and
                got["text"] == wb.pct(sl))
            if not ok:
                problems.append("%s: SL interval to %s: truth %s (%s), "
                                "page %s (%r)" % (q, t["interval_end"], sl,
                                                  wb.pct(sl), got["v"],
                                                  got["text"]))
            else:
                stats["sl_interval"].add((q, t["interval_end"],
                                          wb.pct(sl)))
    if not t["rt_ts"]:
        return
    at = ms(t["rt_ts"])
    if not truth.clean(at):
        stats["skipped"] += 1
        return
    want = truth.chips(q, at)
    got = {c: t[c]["text"] for c in CHIPS}
    if got != {c: str(n) for c, n in want.items()}:
        problems.append("%s: agent chips at %s: truth %s, page %s" % (
            q, t["rt_ts"], want, got))
    else:
        stats["chips"].add((q, t["rt_ts"], tuple(sorted(want.items()))))


def read_until_right(b, truth, stats, tries=80, extra=None):
    problems = ["never read"]
    for _ in range(tries):
        tiles = b.eval(READ_JS)
        problems = []
        if sorted(t["queue"] for t in tiles) != truth.queues:
            problems.append("tiles %s, truth %s" % (
                [t["queue"] for t in tiles], truth.queues))
        for t in tiles:
            check_tile(t, truth, problems, stats)
            if extra is not None:
                extra(t, problems)
        if not problems:
            return tiles
        time.sleep(0.25)
    wb.fail("the page never matched the truth:\n  " + "\n  ".join(problems))


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    base = os.path.join(work, "day")
    zport = wb.free_port()
    r = subprocess.run([wb.PYTHON, wb.GEN, "--seed", "46", "--duration-s",
                        "2700", "--agents", "10", "--calls-per-hour", "120",
                        "--presence", "register", "--out", base + ".pcap",
                        "--truth", base + ".truth", "--config",
                        base + ".gen.yaml", "--intervals", base + ".iq",
                        "--rt", base + ".rt", "--agent-states", base + ".st"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        wb.fail("generator: %s" % r.stderr)
    truth = Truth(base)
    text = open(base + ".gen.yaml").read()
    text = text[:text.index("\npublish:")] + "\n"
    for q, ids in MEMBERS.items():
        head = "  - name: %s\n" % q
        i = text.index(head)
        j = text.index("    wrapup_s:", i)
        j = text.index("\n", j) + 1
        text = text[:j] + "    agents: [%s]\n" % ", ".join(
            '"%s"' % a for a in ids) + text[j:]
    text += ("publish:\n  zmq: { endpoint: \"tcp://127.0.0.1:%d\", "
             "await_subscribers: 2, await_ms: 20000 }\n" % zport)
    with open(base + ".yaml", "w") as fh:
        fh.write(text)

    # Thresholds at the day's final service level today, exactly (web 1)
    # and one double above it (web 2). repr() is the shortest text that
    # reads back as the same double.
    x = {q: truth.sl_today(q) for q in truth.queues}
    for q, v in x.items():
        if v is None or not 0.05 < v < 1:
            wb.fail("%s: service level today %s: no boundary to pin" % (q, v))
    # /state.json carries reals to 10 significant digits (the service
    # levels and the thresholds alike): one step above x is 1e-9 (x is in
    # (0.05, 1): a change in the 9th or 10th digit, never rounded away).
    up = {q: v + 1e-9 for q, v in x.items()}
    thr = [
        # web 1: sales amber at x: not below, green; support red at x: amber.
        {"sales": (x["sales"], x["sales"] / 2), "support": (1.0, x["support"])},
        # web 2: just above x: amber and red.
        {"sales": (up["sales"], x["sales"] / 2), "support": (1.0, up["support"])},
    ]
    webs = []
    for i, th in enumerate(thr):
        conf = "timezone: UTC\nthresholds:\n  default:\n" \
            "    longest_wait_s: { amber: 20, red: 45 }\n" \
            "    service_level: { amber: 0.8, red: 0.6 }\n  queues:\n"
        for q, (amber, red) in th.items():
            conf += ("    - queue: %s\n      service_level: { amber: %r, "
                     "red: %r }\n" % (q, amber, red))
        wdir = os.path.join(work, "w%d" % i)
        os.makedirs(wdir, exist_ok=True)
        webs.append(wb.Web(wdir, wb.free_port(), zport, "web.log",
                           base=conf))
    browser = cdp.Browser(wb.CHROMIUM, os.path.join(work, "profile"),
                          log=open(os.path.join(work, "chromium.log"), "w"))
    stats = {"chips": set(), "sl_interval": set(), "skipped": 0}
    try:
        browser.navigate(webs[0].url)
        wb.wait_for(browser, "an open feed",
                    lambda r: r["conn"] in ("live", "stale"))
        log_fh = open(os.path.join(work, "d.log"), "w")
        d = subprocess.Popen([wb.CCMETRICSD, "-c", base + ".yaml", "-r",
                              base + ".pcap", "--replay-speed", "60"],
                             stdout=subprocess.DEVNULL, stderr=log_fh)
        reads = 0
        while d.poll() is None and reads < 60:
            read_until_right(browser, truth, stats)
            reads += 1
            time.sleep(0.5)
        wb.finish(d, "ccmetricsd")

        def final(t, problems, web):
            q = t["queue"]
            if t["rt_ts"] != truth.last_rt[q]:
                problems.append("%s: not at the last snapshot yet" % q)
                return
            amber, red = thr[web][q]
            want = level_sl(x[q], amber, red)
            if t["lv_today"] != want:
                problems.append("%s: SL today %s (%s), thresholds amber "
                                "%r red %r: level %r, expected %r" % (
                                    q, t["sl_today"]["v"], x[q], amber, red,
                                    t["lv_today"], want))
            iv = truth.iq[(q, t["interval_end"])]["service_level"]
            if iv is not None and min(abs(iv - amber), abs(iv - red)) < 1e-9:
                problems.append("%s: the last interval's SL %r is within "
                                "the daemon's rounding of a threshold" % (
                                    q, iv))
            want_iv = level_sl(iv, amber, red)
            if t["lv_interval"] != want_iv:
                problems.append("%s: SL interval %s: level %r, expected %r"
                                % (q, iv, t["lv_interval"], want_iv))
            # Nobody waits at the end: the longest wait is green.
            want_tile = worst("green", want, want_iv)
            if t["lv_longest"] != "green" or t["level"] != want_tile:
                problems.append("%s: tile %r (longest wait %r), expected "
                                "%r" % (q, t["level"], t["lv_longest"],
                                        want_tile))

        tiles = read_until_right(browser, truth, stats,
                                 extra=lambda t, p: final(t, p, 0))
        wb.log("ok: %d reads during the replay and the final one: agent "
               "chips as the truth at %d moments (%d reads at a moment with "
               "a change under 1.5 s before it not compared), SL interval "
               "of %d intervals" % (reads, len(stats["chips"]),
                                    stats["skipped"],
                                    len(stats["sl_interval"])))
        for t in tiles:
            wb.log("ok: web 1 (at the threshold): %s SL today %s = %r: "
                   "level %s, tile %s" % (t["queue"], t["sl_today"]["text"],
                                          x[t["queue"]], t["lv_today"],
                                          t["level"]))
        if reads < 3:
            wb.fail("the replay ended before the page was read 3 times")
        busy = [c for c in stats["chips"]
                if dict(c[2])["on_call"] > 0 or dict(c[2])["wrapup"] > 0]
        if len(stats["chips"]) < 4 or not busy:
            wb.fail("agent chips compared at %d moments, %d with an agent "
                    "on a call or in wrap-up" % (len(stats["chips"]),
                                                 len(busy)))
        if not any(p not in ("0%", "100%", "—")
                   for _, _, p in stats["sl_interval"]):
            wb.fail("no interval with a service level strictly between 0 "
                    "and 100%")
        browser.navigate(webs[1].url)
        tiles = read_until_right(browser, truth, stats,
                                 extra=lambda t, p: final(t, p, 1))
        for t in tiles:
            wb.log("ok: web 2 (1e-9 above): %s level %s, tile %s" % (
                t["queue"], t["lv_today"], t["level"]))
        lv = {t["queue"]: t["lv_today"] for t in tiles}
        if lv != {"sales": "amber", "support": "red"}:
            wb.fail("1e-9 below the thresholds: %s" % lv)
    finally:
        browser.close()
        for w in webs:
            w.stop()


if __name__ == "__main__":
    main()
