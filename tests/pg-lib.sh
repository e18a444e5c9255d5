# SPDX-License-Identifier: BSD-2-Clause
# pg-lib.sh: a private PostgreSQL cluster for a test, in its temporary directory (sourced after lib.sh).
#
# pg_start: initdb a cluster in $TMP/pg, run it as the postgres user (it
# refuses root) on a unix socket in $TMP/pg-sock and a free loopback port,
# create the database "ccmetrics" and load sql/ccmetrics.sql. Sets PGPORT,
# PG_SOCK, PG_URL (for ccmetrics-sub --db) and PG_PID; stopped by PID at
# exit. Skips (77) only when PostgreSQL's server programs are not installed.
# agent_truth_has_states and agent_rollup_not_averaged: the recorder tests'
# guards against a vacuous agent comparison (below).
# PG_FSYNC=on (benchmarks) keeps PostgreSQL's own durability; tests run
# with fsync off (a commit still waits for its WAL write).

PG_BIN=
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && PG_BIN=$d
done

# The user that runs the server: root may not.
if [ "$(id -u)" = 0 ]; then
	PG_USER=postgres
	pg_as() { runuser -u "$PG_USER" -- "$@"; }
else
	PG_USER=$(id -un)
	pg_as() { "$@"; }
fi

PG_PID=
pg_stop() {
	if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
		kill -INT "$PG_PID" 2>/dev/null || true	# fast shutdown
		i=0
		while kill -0 "$PG_PID" 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -KILL "$PG_PID" 2>/dev/null || true
		# Its children go with it: wait until the port is free.
		while [ -f "$TMP/pg/postmaster.pid" ] && [ $i -lt 400 ]; do
			sleep 0.05
			i=$((i + 1))
		done
	fi
	PG_PID=
}

# pg_run: start the server of $TMP/pg (again), wait until it accepts.
pg_run() {
	pg_as "$PG_BIN/postgres" -D "$TMP/pg" -k "$PG_SOCK" -p "$PGPORT" \
	    -c listen_addresses=127.0.0.1 -c fsync="${PG_FSYNC:-off}" \
	    -c synchronous_commit=on -c max_connections=20 \
	    -c shared_buffers=32MB >>"$TMP/pg.log" 2>&1 &
	starter=$!
	i=0
	until "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$PGPORT"; do
		kill -0 "$starter" 2>/dev/null ||
		    fail "postgres did not start: $(tail -n 5 "$TMP/pg.log")"
		[ $i -lt 300 ] || fail "postgres not ready after 30 s"
		sleep 0.1
		i=$((i + 1))
	done
	# The postmaster itself (runuser is its parent, not it).
	PG_PID=$(head -n 1 "$TMP/pg/postmaster.pid")
}

pg_start() {
	[ -n "$PG_BIN" ] || skip "PostgreSQL server not installed (Debian package postgresql)"
	command -v psql >/dev/null || skip "psql not installed (Debian package postgresql-client)"
	if [ "$(id -u)" = 0 ]; then
		id "$PG_USER" >/dev/null 2>&1 || skip "no postgres user to run the server"
		chmod 711 "$TMP"
	fi
	PG_SOCK="$TMP/pg-sock"
	mkdir -p "$TMP/pg" "$PG_SOCK"
	[ "$(id -u)" = 0 ] && chown "$PG_USER" "$TMP/pg" "$PG_SOCK"
	pg_as "$PG_BIN/initdb" -D "$TMP/pg" -U ccm -A trust -E UTF8 \
	    --no-locale >"$TMP/initdb.log" 2>&1 ||
	    fail "initdb: $(tail -n 5 "$TMP/initdb.log")"
	PGPORT=$(free_port)
	pg_run
	# With tests/nats-lib.sh sourced too, its servers stop as well.
	trap 'pg_stop; if command -v nats_stop_all >/dev/null; then
	    nats_stop_all; fi; rm -rf "$TMP"' EXIT
	PGHOST=$PG_SOCK PGUSER=ccm
	export PGHOST PGPORT PGUSER
	psql -q -d postgres -c 'CREATE DATABASE ccmetrics' >/dev/null ||
	    fail "CREATE DATABASE"
	PGDATABASE=ccmetrics
	export PGDATABASE
	psql -q -v ON_ERROR_STOP=1 -f "$top_srcdir/sql/ccmetrics.sql" \
	    >"$TMP/schema.log" 2>&1 || fail "sql/ccmetrics.sql: $(cat "$TMP/schema.log")"
	PG_URL="postgresql://ccm@127.0.0.1:$PGPORT/ccmetrics"
}

# pg_createdb NAME: another database of the cluster, with the schema.
pg_createdb() {
	psql -q -d postgres -c "CREATE DATABASE $1" >/dev/null ||
	    fail "CREATE DATABASE $1"
	psql -q -d "$1" -v ON_ERROR_STOP=1 -f "$top_srcdir/sql/ccmetrics.sql" \
	    >"$TMP/schema.log" 2>&1 || fail "sql/ccmetrics.sql: $(cat "$TMP/schema.log")"
}

# pg_query SQL: the result, unaligned, tuples only.
pg_query() {
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

# agent_truth_has_states FILE PRESENCE: ccmetrics-gen --agent-intervals
# written with --agent-states: every record carries DESIGN.md 7's state
# times and occupancy, and each state time is somewhere above 0 (unknown_s:
# in register presence only), so that comparing them cannot pass on a day
# without the agent model.
agent_truth_has_states() {
	$PYTHON3 - "$1" "$2" <<'PYEOF' || fail "$1: an agent truth without the agent model"
import json, sys
STATES = ("staffed_s", "available_s", "ringing_s", "on_call_s", "busy_other_s",
          "wrapup_s", "paused_s", "unknown_s")
recs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
bad = [r["agent"] + " " + r["start"] for r in recs
       if any(f not in r for f in STATES + ("occupancy",))]
if not recs or bad:
    sys.exit("records without the state times: %s" % (bad[:3] or "no record"))
zero = [f for f in STATES if not any(r[f] > 0 for r in recs) and
        (f != "unknown_s" or sys.argv[2] == "register")]
if zero or not any(r["occupancy"] for r in recs):
    sys.exit("no time in %s" % ", ".join(zero or ["occupancy"]))
PYEOF
}

# agent_rollup_not_averaged [SITE]: some agent hour (of SITE's agent_hour,
# else of agent_hour_sites) whose occupancy differs from the average of
# the occupancies it rolls up: the views' recomputation is not vacuous.
agent_rollup_not_averaged() {
	if [ -n "${1:-}" ]; then
		_pl_n=$(pg_query "SELECT count(*) FROM ccmetrics.agent_hour h
		    WHERE h.site = '$1' AND abs(h.occupancy - (SELECT
		    avg(a.occupancy) FROM ccmetrics.interval_agent a WHERE
		    a.site = h.site AND a.agent = h.agent AND
		    date_trunc('hour', a.start) = h.hour)) > 1e-6")
	else
		_pl_n=$(pg_query "SELECT count(*) FROM ccmetrics.agent_hour_sites h
		    WHERE abs(h.occupancy - (SELECT avg(s.occupancy) FROM
		    ccmetrics.agent_hour s WHERE s.agent = h.agent AND
		    s.hour = h.hour)) > 1e-6")
	fi
	[ "$_pl_n" -gt 0 ] ||
	    fail "no agent hour${1:+ of $1} whose occupancy differs from the average it rolls up"
	echo "ok: $_pl_n agent hours${1:+ of $1} whose occupancy is not the average of what they roll up"
}
