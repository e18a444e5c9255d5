# SPDX-License-Identifier: BSD-2-Clause
# wallboard.py: the wallboard in a real headless Chromium, fed by a real
# ccmetrics-web subscribed to a real ccmetricsd, checked against the truth.
"""Usage: wallboard.py check WORKDIR OUTDIR
          wallboard.py screenshot WORKDIR PNG

check: two generated days (ccmetrics-gen) replayed by ccmetricsd at a
pace; the page's tiles are read over the DevTools protocol during the
replay and after it, and each value is compared with the generator's truth
at the moment the tile shows (its rt.queue snapshot, its last interval, its
local day in the configured zone). Then the feed is restarted: ccmetricsd
(a new boot id, seq from 1) and ccmetrics-web itself; the page must say so
and come back with the new values. A screenshot goes to OUTDIR.

screenshot: the bundled sample replayed, the page saved as PNG (README)."""

import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

TOP_SRC = os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), ".."))
TOP_BUILD = os.environ.get("top_builddir", TOP_SRC)
PYTHON = os.environ.get("PYTHON3", sys.executable)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CCMETRICSD = os.path.join(TOP_BUILD, "ccmetricsd")
WEB = os.path.join(TOP_BUILD, "ccmetrics-web")
GEN = os.path.join(TOP_SRC, "tools", "ccmetrics-gen")
TZ = "America/New_York"
ZONE = zoneinfo.ZoneInfo(TZ)

# What one read of the page returns: the tiles' values as shown (text) and
# as held (data-v), with the moment each one shows.
READ_JS = r"""(() => {
  const v = (t, cls) => { const e = t.querySelector(cls); return e ? {text: e.textContent, v: e.dataset.v} : null; };
  if (!document.body || !document.getElementById("feed-text"))
    return {nodes: 0, conn: "", feed: "", day: "", tiles: [], agents: []};
  return {
    nodes: document.getElementsByTagName("*").length,
    conn: document.body.dataset.conn,
    feed: document.getElementById("feed-text").textContent,
    day: document.getElementById("day").dataset.day || "",
    tiles: Array.from(document.querySelectorAll(".tile")).map((t) => ({
      site: t.dataset.site, queue: t.dataset.queue, level: t.dataset.level,
      rt_ts: t.dataset.rtTs, interval_end: t.dataset.intervalEnd,
      today_intervals: t.dataset.todayIntervals,
      waiting: v(t, ".waiting .val"), longest: v(t, ".longest .val"),
      sl_today: v(t, ".sl-today .val"), sl_interval: v(t, ".sl-interval .val"),
      asa: v(t, ".asa .val"), abandoned: v(t, ".abandoned .val"),
      available: v(t, ".chip.available .n"), on_call: v(t, ".chip.on_call .n"),
      wrapup: v(t, ".chip.wrapup .n"), paused: v(t, ".chip.paused .n")
    })),
    agents: Array.from(document.querySelectorAll(".agent")).map((a) => [a.dataset.agent, a.dataset.state])
  };
})()"""


def log(msg):
    print(msg, flush=True)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse_ts(s):
    t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc)


def local_day(s):
    return parse_ts(s).astimezone(ZONE).date().isoformat()


def pct(x):
    """The page's rounding, half up, written independently."""
    return "—" if x is None else "%d%%" % int(x * 100 + 0.5)


class Day:
    """A generated day: its pcap, its config and the generator's truth."""

    def __init__(self, work, name, seed, start, duration_s, zmq_port):
        self.name = name
        base = os.path.join(work, name)
        self.pcap = base + ".pcap"
        cmd = [PYTHON, GEN, "--seed", str(seed), "--start", start,
               "--duration-s", str(duration_s), "--out", self.pcap,
               "--truth", base + ".truth", "--config", base + ".gen.yaml",
               "--intervals", base + ".iq", "--rt", base + ".rt"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            fail("%s: generator: %s" % (name, r.stderr))
        with open(base + ".gen.yaml") as fh:
            text = fh.read()
        text = text[:text.index("\npublish:")] + "\n"
        self.jsonl = base + ".out.jsonl"
        text += ("publish:\n  zmq: { endpoint: \"tcp://127.0.0.1:%d\", "
                 "await_subscribers: 1, await_ms: 20000 }\n"
                 "  jsonl: { path: \"%s\" }\n" % (zmq_port, self.jsonl))
        self.config = base + ".yaml"
        self.feed_rt, self.feed_agents, self.feed_loaded = {}, None, False
        with open(self.config, "w") as fh:
            fh.write(text)
        self.rt = {}
        self.last_rt = {}
        for line in open(base + ".rt"):
            o = json.loads(line)
            self.rt[(o["queue"], o["ts"])] = o
            self.last_rt[o["queue"]] = o["ts"]
        self.iq = {}
        for line in open(base + ".iq"):
            o = json.loads(line)
            self.iq.setdefault(o["queue"], []).append(o)
        self.queues = sorted(self.iq)

    def load_feed(self):
        """What the daemon published (its JSON-lines sink), once it ended:
        the agent counts and states, where the generator has no model of
        them, are checked against the feed the page was given."""
        self.feed_rt, agents = {}, None
        for line in open(self.jsonl):
            o = json.loads(line)
            if o["type"] == "rt.queue":
                self.feed_rt[(o["queue"], o["ts"])] = o
            elif o["type"] == "rt.agents":
                agents = {a["agent"]: a["state"] for a in o["agents"]}
            elif o["type"] == "agent.state" and agents is not None:
                agents[o["agent"]] = o["state"]
        self.feed_agents = agents
        self.feed_loaded = True

    def today(self, queue, day, through_end):
        """Sums of the queue's intervals of local day `day` that ended by
        `through_end` (the last interval the tile shows)."""
        s = {"n": 0, "answered": 0, "within": 0, "abandoned": 0,
             "wait": 0.0}
        for o in self.iq.get(queue, []):
            if local_day(o["start"]) != day or o["end"] > through_end:
                continue
            s["n"] += 1
            s["answered"] += o["answered"]
            s["within"] += o["answered_within_sl"]
            s["abandoned"] += o["abandoned"]
            s["wait"] += o["wait_answered_s"]
        den = s["answered"] + s["abandoned"]
        s["sl"] = s["within"] / den if den else None
        s["asa"] = s["wait"] / s["answered"] if s["answered"] else None
        return s


def check_tile(t, day, page_day, problems):
    """The tile against the truth at the moments it shows."""
    q = t["queue"]
    where = "%s %s" % (day.name, q)
    if not t["rt_ts"]:
        problems.append("%s: no rt.queue yet" % where)
        return
    rt = day.rt.get((q, t["rt_ts"]))
    if rt is None:
        problems.append("%s: rt.queue at %s not in the truth" % (
            where, t["rt_ts"]))
        return
    if t["waiting"]["text"] != str(rt["waiting"]):
        problems.append("%s: waiting at %s: truth %d, page %r" % (
            where, t["rt_ts"], rt["waiting"], t["waiting"]["text"]))
    if abs(float(t["longest"]["v"]) - rt["longest_wait_s"]) > 1e-9:
        problems.append("%s: longest wait at %s: truth %s, page %s" % (
            where, t["rt_ts"], rt["longest_wait_s"], t["longest"]["v"]))
    # Agent counts: the generator's when it models them, else (once the
    # replay ended) what the daemon published for that snapshot.
    if "agents_available" in rt:
        src = rt
    elif day.feed_loaded:
        src = day.feed_rt.get((q, t["rt_ts"]), {})
    else:
        src = None
    for k in ("available", "on_call", "wrapup", "paused"):
        if src is None:
            break
        want = src.get("agents_" + k)
        got = t[k]["text"]
        if (want is None and got != "—") or (want is not None and
                                             got != str(want)):
            problems.append("%s: agents %s at %s: truth %s, page %r" % (
                where, k, t["rt_ts"], want, got))
    if not page_day:
        problems.append("%s: no day on the page" % where)
        return
    through = t["interval_end"] or "0000"
    s = day.today(q, page_day, through)
    if t["today_intervals"] != str(s["n"]):
        problems.append("%s: intervals today (%s, to %s): truth %d, page "
                        "%s" % (where, page_day, through, s["n"],
                                t["today_intervals"]))
    if t["abandoned"]["text"] != str(s["abandoned"]):
        problems.append("%s: abandoned today (%s, to %s): truth %d, page "
                        "%r" % (where, page_day, through, s["abandoned"],
                                t["abandoned"]["text"]))
    got = t["sl_today"]["v"]
    if s["sl"] is None:
        ok = got == "" and t["sl_today"]["text"] == "—"
    else:
        ok = got != "" and abs(float(got) - s["sl"]) < 1e-9 and \
            t["sl_today"]["text"] == pct(s["sl"])
    if not ok:
        problems.append("%s: SL today (%s, to %s): truth %s (%s), page "
                        "%s (%r)" % (where, page_day, through, s["sl"],
                                     pct(s["sl"]), got,
                                     t["sl_today"]["text"]))
    got = t["asa"]["v"]
    if (s["asa"] is None) != (got == "") or (
            s["asa"] is not None and abs(float(got) - s["asa"]) > 1e-6):
        problems.append("%s: ASA today: truth %s, page %s" % (
            where, s["asa"], got))


def check_page(b, day, final=False, tries=80):
    """Read the page until every tile matches the truth of its moment (a
    read can fall between an event and the state it triggers); bounded."""
    problems = ["never read"]
    for _ in range(tries):
        r = b.eval(READ_JS)
        problems = []
        queues = sorted(t["queue"] for t in r["tiles"])
        if queues != day.queues:
            problems.append("tiles %s, truth queues %s" % (queues,
                                                            day.queues))
        for t in r["tiles"]:
            if t["queue"] not in day.iq:
                continue
            check_tile(t, day, r["day"], problems)
            if final:
                last_end = max(o["end"] for o in day.iq[t["queue"]])
                if t["rt_ts"] != day.last_rt[t["queue"]]:
                    problems.append("%s: last rt.queue %s, page at %s" % (
                        t["queue"], day.last_rt[t["queue"]], t["rt_ts"]))
                if t["interval_end"] != last_end:
                    problems.append("%s: last interval ends %s, page %s" % (
                        t["queue"], last_end, t["interval_end"]))
        if final and day.feed_agents is not None:
            want = sorted((a, st) for a, st in day.feed_agents.items()
                          if st != "logged_out")
            got = sorted((a, st) for a, st in r["agents"])
            if want != got:
                problems.append("agent grid %s, the feed's agents %s" % (
                    got, want))
        if not problems:
            return r
        time.sleep(0.25)
    fail("%s: the page never matched the truth:\n  %s" % (
        day.name, "\n  ".join(problems)))


def wait_for(b, what, pred, tries=240, pause=0.25):
    for _ in range(tries):
        r = b.eval(READ_JS)
        if pred(r):
            return r
        time.sleep(pause)
    fail("page: %s never came (last: conn %s, feed %r)" % (
        what, r["conn"], r["feed"]))


class Web:
    def __init__(self, work, http_port, zmq_port, logname, base=None):
        self.conf = os.path.join(work, "web.yaml")
        with open(self.conf, "w") as fh:
            if base is not None:
                # A configuration of ours, on the test's ports.
                fh.write(base + "listen: \"127.0.0.1:%d\"\nfeeds:\n"
                         "  - endpoint: \"tcp://127.0.0.1:%d\"\n" % (
                             http_port, zmq_port))
            else:
                fh.write("listen: \"127.0.0.1:%d\"\n"
                     "feeds:\n  - endpoint: \"tcp://127.0.0.1:%d\"\n"
                     "timezone: %s\n"
                     "thresholds:\n  default:\n"
                     "    longest_wait_s: { amber: 20, red: 45 }\n"
                     "    service_level: { amber: 0.8, red: 0.6 }\n"
                     "metrics:\n  feed_timeout_s: 2\n" % (http_port,
                                                          zmq_port, TZ))
        self.log = open(os.path.join(work, logname), "w")
        self.proc = subprocess.Popen([WEB, "-c", self.conf, "-f"],
                                     stdout=self.log, stderr=self.log)
        self.url = "http://127.0.0.1:%d/" % http_port
        for _ in range(200):
            if self.proc.poll() is not None:
                fail("ccmetrics-web exited: see %s" % logname)
            try:
                socket.create_connection(("127.0.0.1", http_port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        fail("ccmetrics-web does not listen")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail("ccmetrics-web did not stop on SIGTERM")
        self.log.close()


def replay(day, work, speed, logname):
    log_fh = open(os.path.join(work, logname), "w")
    return subprocess.Popen([CCMETRICSD, "-c", day.config, "-r", day.pcap,
                             "--replay-speed", str(speed)],
                            stdout=subprocess.DEVNULL, stderr=log_fh)


def finish(proc, what):
    try:
        rc = proc.wait(300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        fail("%s did not finish" % what)
    if rc != 0:
        fail("%s exited with %d" % (what, rc))


def check(work, outdir):
    http_port, zmq_port = free_port(), free_port()
    # Day 1 crosses local midnight (05:00Z is 00:00 in New York); day 2
    # is the next local day's morning: "today" starts over twice.
    day1 = Day(work, "day1", 7, "2026-11-24T04:40:00Z", 2400, zmq_port)
    day2 = Day(work, "day2", 8, "2026-11-25T15:00:00Z", 1800, zmq_port)
    web = Web(work, http_port, zmq_port, "web1.log")
    browser = cdp.Browser(CHROMIUM, os.path.join(work, "profile"),
                          log=open(os.path.join(work, "chromium.log"), "w"))
    try:
        browser.navigate(web.url)
        wait_for(browser, "an open feed", lambda r: r["conn"] in
                 ("live", "stale"))
        log("ok: page loaded, feed %s" % browser.eval(READ_JS)["conn"])

        # During the replay: a few reads, each right for its moment.
        d = replay(day1, work, 80, "day1.log")
        seen_days, seen_waiting, reads = set(), set(), 0
        while d.poll() is None and reads < 40:
            r = check_page(browser, day1)
            seen_days.add(r["day"])
            seen_waiting.update(t["waiting"]["text"] for t in r["tiles"])
            reads += 1
            time.sleep(1.0)
        finish(d, "ccmetricsd (day 1)")
        day1.load_feed()
        r = check_page(browser, day1, final=True)
        nodes1 = r["nodes"]
        seen_days.add(r["day"])
        log("ok: day 1: %d reads during the replay and the final one match "
            "the truth (days %s, waiting %s)" % (
                reads, sorted(seen_days), sorted(seen_waiting)))
        if reads < 2:
            fail("the replay ended before the page was read twice")
        if r["day"] != "2026-11-24":
            fail("after local midnight the page shows day %s" % r["day"])
        for t in r["tiles"]:
            log("ok: %s: waiting %s, abandoned today %s, SL today %s, "
                "ASA %s" % (t["queue"], t["waiting"]["text"],
                            t["abandoned"]["text"], t["sl_today"]["text"],
                            t["asa"]["text"]))
        browser.screenshot(os.path.join(outdir, "wallboard.png"))
        log("ok: screenshot %s" % os.path.join(outdir, "wallboard.png"))

        # The daemon is gone: the page says the feed is quiet.
        wait_for(browser, "the stale-feed indicator",
                 lambda r: r["conn"] == "stale")
        log("ok: ccmetricsd gone: the page shows %r" %
            browser.eval(READ_JS)["feed"])

        # A new daemon run (new boot id, seq from 1) with later data.
        d = replay(day2, work, 120, "day2.log")
        wait_for(browser, "live again", lambda r: r["conn"] == "live")
        log("ok: ccmetricsd restarted: the page is live again")
        finish(d, "ccmetricsd (day 2)")
        day2.load_feed()
        r = check_page(browser, day2, final=True)
        # The same queues on another day: not one DOM node more.
        if r["nodes"] != nodes1:
            fail("DOM nodes: %d after day 1, %d after day 2" % (
                nodes1, r["nodes"]))
        log("ok: day 2 after the daemon's restart matches the truth: %s" %
            ", ".join("%s abandoned %s SL %s" % (
                t["queue"], t["abandoned"]["text"], t["sl_today"]["text"])
                for t in r["tiles"]))

        # ccmetrics-web itself restarts: the page goes offline, then back.
        web.stop()
        wait_for(browser, "the offline indicator",
                 lambda r: r["conn"] == "offline")
        log("ok: ccmetrics-web stopped: the page shows %r" %
            browser.eval(READ_JS)["feed"])
        web = Web(work, http_port, zmq_port, "web2.log")
        d = replay(day2, work, 120, "day2b.log")
        wait_for(browser, "live after the server restart",
                 lambda r: r["conn"] == "live", tries=400)
        finish(d, "ccmetricsd (day 2 again)")
        day2.load_feed()
        r = check_page(browser, day2, final=True)
        if r["nodes"] != nodes1:
            fail("DOM nodes: %d after day 1, %d after the restarts" % (
                nodes1, r["nodes"]))
        log("ok: after ccmetrics-web restarted the page is back and right "
            "(%d DOM nodes, as after day 1)" % r["nodes"])
    finally:
        browser.close()
        web.stop()


def screenshot(work, png):
    http_port, zmq_port = free_port(), free_port()
    # The README's own commands (samples/wallboard.yaml, samples/web.yaml),
    # on ports of the test's.
    conf = os.path.join(work, "wallboard.yaml")
    with open(os.path.join(TOP_SRC, "samples", "wallboard.yaml")) as fh:
        text = fh.read()
    text = text.replace("tcp://127.0.0.1:5556", "tcp://127.0.0.1:%d" %
                        zmq_port)
    with open(conf, "w") as fh:
        fh.write(text)
    with open(os.path.join(TOP_SRC, "samples", "web.yaml")) as fh:
        base = fh.read()
    web = Web(work, http_port, zmq_port, "web.log", base=base)
    browser = cdp.Browser(CHROMIUM, os.path.join(work, "profile"),
                          log=open(os.path.join(work, "chromium.log"), "w"))
    try:
        browser.navigate(web.url)
        wait_for(browser, "an open feed", lambda r: r["conn"] in
                 ("live", "stale"))
        d = subprocess.Popen([CCMETRICSD, "-c", conf, "-r",
                              os.path.join(TOP_SRC, "samples",
                                           "sample.pcap"),
                              "--replay-speed", "240"],
                             stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(work, "d.log"), "w"))
        # Stop at a busy moment (40 of the hour's 60 minutes): the
        # wallboard as a supervisor sees it, not the drained end.
        wait_for(browser, "data", lambda r: any(
            t["rt_ts"] >= "2026-11-23T09:40" for t in r["tiles"]),
            tries=1200)
        d.send_signal(signal.SIGSTOP)
        time.sleep(1.5)
        browser.screenshot(png)
        d.send_signal(signal.SIGCONT)
        d.kill()
        d.wait()
        log("ok: %s" % png)
    finally:
        browser.close()
        web.stop()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("check", "screenshot"):
        sys.exit(__doc__)
    work = sys.argv[2]
    os.makedirs(work, exist_ok=True)
    if sys.argv[1] == "check":
        check(work, sys.argv[3])
    else:
        screenshot(work, sys.argv[3])


if __name__ == "__main__":
    main()
