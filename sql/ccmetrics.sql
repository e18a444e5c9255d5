-- SPDX-License-Identifier: BSD-2-Clause
-- ccmetrics.sql: the PostgreSQL history schema (version 1) of ccmetrics-sub --db, with its rollup views.
--
-- Load once into the database the recorder writes to:
--     psql -v ON_ERROR_STOP=1 -d ccmetrics -f ccmetrics.sql
-- Everything lives in the schema "ccmetrics". Columns are named after the
-- fields of the published objects (docs/schema.md) and the recorder maps
-- fields to columns by name, so a field added later needs only a column.
-- Times are timestamptz (milliseconds), durations in seconds numeric(14,3)
-- (exact sums), counts integer, ratios double precision.
-- Each row is upserted on its natural key: a duplicate or a replay
-- overwrites the row, it never adds one.

BEGIN;

CREATE SCHEMA IF NOT EXISTS ccmetrics;

-- The version of this file; ccmetrics-sub refuses to record into another.
CREATE TABLE ccmetrics.schema_version (
	version		integer NOT NULL PRIMARY KEY,
	installed_at	timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ccmetrics.schema_version (version) VALUES (1);

-- interval.queue: one queue of one site over one interval.
CREATE TABLE ccmetrics.interval_queue (
	site			text NOT NULL,
	queue			text NOT NULL,
	start			timestamptz NOT NULL,
	"end"			timestamptz NOT NULL,
	interval_s		integer NOT NULL,
	offered			integer NOT NULL,
	blocked			integer NOT NULL,
	answered		integer NOT NULL,
	answered_within_sl	integer NOT NULL,
	wait_answered_s		numeric(14,3) NOT NULL,
	max_wait_s		numeric(14,3) NOT NULL,
	abandoned		integer NOT NULL,
	short_abandoned		integer NOT NULL,
	abandon_wait_s		numeric(14,3) NOT NULL,
	timeouts		integer NOT NULL,
	handled			integer NOT NULL,
	talk_s			numeric(14,3) NOT NULL,
	hold_s			numeric(14,3) NOT NULL,
	handle_s		numeric(14,3) NOT NULL,
	holds			integer NOT NULL,
	rona			integer NOT NULL,
	transfers		integer NOT NULL,
	repeat_calls		integer NOT NULL,
	service_level		double precision,
	asa_s			double precision,
	aht_s			double precision,
	abandon_rate		double precision,
	erlang_c_agents		integer,
	sl_threshold_s		integer NOT NULL,
	sl_target		double precision NOT NULL,
	wait_hist_answered	integer[] NOT NULL
	    CHECK (cardinality(wait_hist_answered) = 12),
	wait_hist_abandoned	integer[] NOT NULL
	    CHECK (cardinality(wait_hist_abandoned) = 12),
	-- DESIGN.md 4.1, added within version 1 (absent from older recordings)
	wait_all_s		numeric(14,3),
	max_wait_all_s		numeric(14,3),
	redials			integer,
	reconnects		integer,
	ended_on_hold		integer,
	agent_ended		integer,
	transfers_blind		integer,
	transfers_attended	integer,
	patience_s		double precision,
	abandon_rate_offered	double precision,
	erlang_a_agents		integer,
	-- an interval the daemon observed only in part (docs/schema.md)
	partial			boolean NOT NULL DEFAULT false,
	observed_from		timestamptz,
	observed_to		timestamptz,
	-- the envelope of the message the row was last written from
	boot			text,
	seq			bigint,
	PRIMARY KEY (site, queue, start)
);
CREATE INDEX interval_queue_start ON ccmetrics.interval_queue (start);

-- interval.agent: one agent of one site over one interval.
CREATE TABLE ccmetrics.interval_agent (
	site			text NOT NULL,
	agent			text NOT NULL,
	start			timestamptz NOT NULL,
	"end"			timestamptz NOT NULL,
	interval_s		integer NOT NULL,
	attempts		integer NOT NULL,
	answered		integer NOT NULL,
	rona			integer NOT NULL,
	handled			integer NOT NULL,
	talk_s			numeric(14,3) NOT NULL,
	hold_s			numeric(14,3) NOT NULL,
	handle_s		numeric(14,3) NOT NULL,
	holds			integer NOT NULL,
	transfers		integer NOT NULL,
	busy_s			numeric(14,3) NOT NULL,
	-- DESIGN.md 7, added within version 1 (absent from older daemons)
	staffed_s		numeric(14,3),
	available_s		numeric(14,3),
	ringing_s		numeric(14,3),
	on_call_s		numeric(14,3),
	busy_other_s		numeric(14,3),
	wrapup_s		numeric(14,3),
	paused_s		numeric(14,3),
	unknown_s		numeric(14,3),
	occupancy		double precision,
	partial			boolean NOT NULL DEFAULT false,
	observed_from		timestamptz,
	observed_to		timestamptz,
	boot			text,
	seq			bigint,
	PRIMARY KEY (site, agent, start)
);
CREATE INDEX interval_agent_start ON ccmetrics.interval_agent (start);

-- call.end: one customer call of one site.
CREATE TABLE ccmetrics.call_end (
	site			text NOT NULL,
	contact_id		text NOT NULL,
	arrival			timestamptz NOT NULL,
	queue			text NOT NULL,
	caller			text NOT NULL,
	dnis			text NOT NULL,
	answered_at		timestamptz,
	ended_at		timestamptz NOT NULL,
	outcome			text NOT NULL,
	ended_by		text NOT NULL,
	wait_s			numeric(14,3) NOT NULL,
	talk_s			numeric(14,3) NOT NULL,
	hold_s			numeric(14,3) NOT NULL,
	handle_s		numeric(14,3) NOT NULL,
	holds			integer NOT NULL,
	transfers		integer NOT NULL,
	agent			text,
	agents			text[] NOT NULL,
	attempts		integer NOT NULL,
	rona			integer NOT NULL,
	repeat			boolean NOT NULL,
	legs			text[] NOT NULL,
	partial			boolean NOT NULL DEFAULT false,
	-- DESIGN.md 4.1
	previous_contact	text,
	previous_outcome	text,
	ended_on_hold		boolean,
	boot			text,
	seq			bigint,
	PRIMARY KEY (site, contact_id, arrival)
);
CREATE INDEX call_end_queue_arrival ON ccmetrics.call_end (queue, arrival);
CREATE INDEX call_end_caller ON ccmetrics.call_end (caller, arrival);

-- Wait histograms merge by adding them element by element (DESIGN.md 4).
CREATE FUNCTION ccmetrics.hist_add(acc bigint[], h integer[])
RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
	    WHEN h IS NULL THEN acc
	    WHEN acc IS NULL THEN h::bigint[]
	    ELSE ARRAY(SELECT coalesce(u.a, 0) + coalesce(u.b, 0)
		FROM unnest(acc, h) WITH ORDINALITY AS u(a, b, i) ORDER BY u.i)
	END
$$;
CREATE AGGREGATE ccmetrics.hist_sum(integer[]) (
	SFUNC = ccmetrics.hist_add,
	STYPE = bigint[]
);

-- One value when every row agrees, else null (sl_threshold_s, sl_target).
CREATE FUNCTION ccmetrics.same_or_null(lo anycompatible, hi anycompatible)
RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN lo = hi THEN lo END
$$;

-- Each interval row once per rollup it belongs to: the interval itself,
-- its hour and its day (hours and days of the session's TimeZone: SET
-- TimeZone = 'Europe/Paris' for local days), per site and across sites
-- (site null). An interval counts whole in the hour and day of its start.
-- Counts, sums and histogram buckets are added; maxima are maxima.
CREATE VIEW ccmetrics.queue_sums AS
SELECT g.granularity, g.site, q.queue, g.period,
	count(*) AS intervals,
	count(DISTINCT q.site) AS sites,
	bool_or(q.partial) AS partial,
	ccmetrics.same_or_null(min(q.interval_s), max(q.interval_s))
	    AS interval_s,
	sum(q.offered)::bigint AS offered,
	sum(q.blocked)::bigint AS blocked,
	sum(q.answered)::bigint AS answered,
	sum(q.answered_within_sl)::bigint AS answered_within_sl,
	sum(q.wait_answered_s) AS wait_answered_s,
	max(q.max_wait_s) AS max_wait_s,
	sum(q.abandoned)::bigint AS abandoned,
	sum(q.short_abandoned)::bigint AS short_abandoned,
	sum(q.abandon_wait_s) AS abandon_wait_s,
	sum(q.timeouts)::bigint AS timeouts,
	sum(q.handled)::bigint AS handled,
	sum(q.talk_s) AS talk_s,
	sum(q.hold_s) AS hold_s,
	sum(q.handle_s) AS handle_s,
	sum(q.holds)::bigint AS holds,
	sum(q.rona)::bigint AS rona,
	sum(q.transfers)::bigint AS transfers,
	sum(q.repeat_calls)::bigint AS repeat_calls,
	ccmetrics.same_or_null(min(q.sl_threshold_s), max(q.sl_threshold_s))
	    AS sl_threshold_s,
	ccmetrics.same_or_null(min(q.sl_target), max(q.sl_target))
	    AS sl_target,
	ccmetrics.hist_sum(q.wait_hist_answered) AS wait_hist_answered,
	ccmetrics.hist_sum(q.wait_hist_abandoned) AS wait_hist_abandoned,
	sum(q.wait_all_s) AS wait_all_s,
	max(q.max_wait_all_s) AS max_wait_all_s,
	sum(q.redials)::bigint AS redials,
	sum(q.reconnects)::bigint AS reconnects,
	sum(q.ended_on_hold)::bigint AS ended_on_hold,
	sum(q.agent_ended)::bigint AS agent_ended,
	sum(q.transfers_blind)::bigint AS transfers_blind,
	sum(q.transfers_attended)::bigint AS transfers_attended
FROM ccmetrics.interval_queue q
CROSS JOIN LATERAL (VALUES
	('interval', NULL, q.start),
	('hour', q.site, date_trunc('hour', q.start)),
	('hour', NULL, date_trunc('hour', q.start)),
	('day', q.site, date_trunc('day', q.start)),
	('day', NULL, date_trunc('day', q.start))
) AS g(granularity, site, period)
GROUP BY g.granularity, g.site, q.queue, g.period;

-- The sums with the derived figures of DESIGN.md 4 and 4.1 recomputed
-- from them (never averaged), null when their denominator is 0. Erlang C
-- and Erlang A staffing are not additive and are not rolled up.
CREATE VIEW ccmetrics.queue_rollup AS
SELECT s.*,
	(answered_within_sl::numeric / nullif(answered + abandoned, 0))
	    ::double precision AS service_level,
	(wait_answered_s / nullif(answered, 0))::double precision AS asa_s,
	(handle_s / nullif(handled, 0))::double precision AS aht_s,
	(abandoned::numeric / nullif(answered + abandoned, 0))
	    ::double precision AS abandon_rate,
	(wait_all_s / nullif(abandoned + short_abandoned, 0))
	    ::double precision AS patience_s,
	((abandoned + short_abandoned)::numeric / nullif(offered, 0))
	    ::double precision AS abandon_rate_offered
FROM ccmetrics.queue_sums s;

-- The rollups by name: per site by hour and day, across sites by
-- interval, hour and day.
CREATE VIEW ccmetrics.queue_hour AS
SELECT site, queue, period AS hour, intervals, partial, interval_s,
	offered, blocked, answered, answered_within_sl, wait_answered_s,
	max_wait_s, abandoned, short_abandoned, abandon_wait_s, timeouts,
	handled, talk_s, hold_s, handle_s, holds, rona, transfers,
	repeat_calls, service_level, asa_s, aht_s, abandon_rate,
	sl_threshold_s, sl_target, wait_hist_answered, wait_hist_abandoned,
	wait_all_s, max_wait_all_s, redials, reconnects, ended_on_hold,
	agent_ended, transfers_blind, transfers_attended, patience_s,
	abandon_rate_offered
FROM ccmetrics.queue_rollup WHERE granularity = 'hour' AND site IS NOT NULL;
CREATE VIEW ccmetrics.queue_day AS
SELECT site, queue, period AS day, intervals, partial, interval_s,
	offered, blocked, answered, answered_within_sl, wait_answered_s,
	max_wait_s, abandoned, short_abandoned, abandon_wait_s, timeouts,
	handled, talk_s, hold_s, handle_s, holds, rona, transfers,
	repeat_calls, service_level, asa_s, aht_s, abandon_rate,
	sl_threshold_s, sl_target, wait_hist_answered, wait_hist_abandoned,
	wait_all_s, max_wait_all_s, redials, reconnects, ended_on_hold,
	agent_ended, transfers_blind, transfers_attended, patience_s,
	abandon_rate_offered
FROM ccmetrics.queue_rollup WHERE granularity = 'day' AND site IS NOT NULL;
CREATE VIEW ccmetrics.queue_interval_sites AS
SELECT queue, period AS start, sites, intervals, partial, interval_s,
	offered, blocked, answered, answered_within_sl, wait_answered_s,
	max_wait_s, abandoned, short_abandoned, abandon_wait_s, timeouts,
	handled, talk_s, hold_s, handle_s, holds, rona, transfers,
	repeat_calls, service_level, asa_s, aht_s, abandon_rate,
	sl_threshold_s, sl_target, wait_hist_answered, wait_hist_abandoned,
	wait_all_s, max_wait_all_s, redials, reconnects, ended_on_hold,
	agent_ended, transfers_blind, transfers_attended, patience_s,
	abandon_rate_offered
FROM ccmetrics.queue_rollup WHERE granularity = 'interval';
CREATE VIEW ccmetrics.queue_hour_sites AS
SELECT queue, period AS hour, sites, intervals, partial, interval_s,
	offered, blocked, answered, answered_within_sl, wait_answered_s,
	max_wait_s, abandoned, short_abandoned, abandon_wait_s, timeouts,
	handled, talk_s, hold_s, handle_s, holds, rona, transfers,
	repeat_calls, service_level, asa_s, aht_s, abandon_rate,
	sl_threshold_s, sl_target, wait_hist_answered, wait_hist_abandoned,
	wait_all_s, max_wait_all_s, redials, reconnects, ended_on_hold,
	agent_ended, transfers_blind, transfers_attended, patience_s,
	abandon_rate_offered
FROM ccmetrics.queue_rollup WHERE granularity = 'hour' AND site IS NULL;
CREATE VIEW ccmetrics.queue_day_sites AS
SELECT queue, period AS day, sites, intervals, partial, interval_s,
	offered, blocked, answered, answered_within_sl, wait_answered_s,
	max_wait_s, abandoned, short_abandoned, abandon_wait_s, timeouts,
	handled, talk_s, hold_s, handle_s, holds, rona, transfers,
	repeat_calls, service_level, asa_s, aht_s, abandon_rate,
	sl_threshold_s, sl_target, wait_hist_answered, wait_hist_abandoned,
	wait_all_s, max_wait_all_s, redials, reconnects, ended_on_hold,
	agent_ended, transfers_blind, transfers_attended, patience_s,
	abandon_rate_offered
FROM ccmetrics.queue_rollup WHERE granularity = 'day' AND site IS NULL;

-- Agents likewise (an agent id is per site: across sites the same id on
-- two sites adds up, which is right only when it is the same person).
CREATE VIEW ccmetrics.agent_sums AS
SELECT g.granularity, g.site, a.agent, g.period,
	count(*) AS intervals,
	count(DISTINCT a.site) AS sites,
	bool_or(a.partial) AS partial,
	ccmetrics.same_or_null(min(a.interval_s), max(a.interval_s))
	    AS interval_s,
	sum(a.attempts)::bigint AS attempts,
	sum(a.answered)::bigint AS answered,
	sum(a.rona)::bigint AS rona,
	sum(a.handled)::bigint AS handled,
	sum(a.talk_s) AS talk_s,
	sum(a.hold_s) AS hold_s,
	sum(a.handle_s) AS handle_s,
	sum(a.holds)::bigint AS holds,
	sum(a.transfers)::bigint AS transfers,
	sum(a.busy_s) AS busy_s,
	sum(a.staffed_s) AS staffed_s,
	sum(a.available_s) AS available_s,
	sum(a.ringing_s) AS ringing_s,
	sum(a.on_call_s) AS on_call_s,
	sum(a.busy_other_s) AS busy_other_s,
	sum(a.wrapup_s) AS wrapup_s,
	sum(a.paused_s) AS paused_s,
	sum(a.unknown_s) AS unknown_s
FROM ccmetrics.interval_agent a
CROSS JOIN LATERAL (VALUES
	('interval', NULL, a.start),
	('hour', a.site, date_trunc('hour', a.start)),
	('hour', NULL, date_trunc('hour', a.start)),
	('day', a.site, date_trunc('day', a.start)),
	('day', NULL, date_trunc('day', a.start))
) AS g(granularity, site, period)
GROUP BY g.granularity, g.site, a.agent, g.period;

-- aht_s = handle_s / handled; occupancy (DESIGN.md 7) = (on_call_s +
-- busy_other_s + ringing_s + wrapup_s) / (staffed_s - paused_s).
CREATE VIEW ccmetrics.agent_rollup AS
SELECT s.*,
	(handle_s / nullif(handled, 0))::double precision AS aht_s,
	((on_call_s + busy_other_s + ringing_s + wrapup_s) /
	    nullif(staffed_s - paused_s, 0))::double precision AS occupancy
FROM ccmetrics.agent_sums s;

CREATE VIEW ccmetrics.agent_hour AS
SELECT site, agent, period AS hour, intervals, partial, interval_s,
	attempts, answered, rona, handled, talk_s, hold_s, handle_s, holds,
	transfers, busy_s, aht_s, staffed_s, available_s, ringing_s,
	on_call_s, busy_other_s, wrapup_s, paused_s, unknown_s, occupancy
FROM ccmetrics.agent_rollup WHERE granularity = 'hour' AND site IS NOT NULL;
CREATE VIEW ccmetrics.agent_day AS
SELECT site, agent, period AS day, intervals, partial, interval_s,
	attempts, answered, rona, handled, talk_s, hold_s, handle_s, holds,
	transfers, busy_s, aht_s, staffed_s, available_s, ringing_s,
	on_call_s, busy_other_s, wrapup_s, paused_s, unknown_s, occupancy
FROM ccmetrics.agent_rollup WHERE granularity = 'day' AND site IS NOT NULL;
CREATE VIEW ccmetrics.agent_interval_sites AS
SELECT agent, period AS start, sites, intervals, partial, interval_s,
	attempts, answered, rona, handled, talk_s, hold_s, handle_s, holds,
	transfers, busy_s, aht_s, staffed_s, available_s, ringing_s,
	on_call_s, busy_other_s, wrapup_s, paused_s, unknown_s, occupancy
FROM ccmetrics.agent_rollup WHERE granularity = 'interval';
CREATE VIEW ccmetrics.agent_hour_sites AS
SELECT agent, period AS hour, sites, intervals, partial, interval_s,
	attempts, answered, rona, handled, talk_s, hold_s, handle_s, holds,
	transfers, busy_s, aht_s, staffed_s, available_s, ringing_s,
	on_call_s, busy_other_s, wrapup_s, paused_s, unknown_s, occupancy
FROM ccmetrics.agent_rollup WHERE granularity = 'hour' AND site IS NULL;
CREATE VIEW ccmetrics.agent_day_sites AS
SELECT agent, period AS day, sites, intervals, partial, interval_s,
	attempts, answered, rona, handled, talk_s, hold_s, handle_s, holds,
	transfers, busy_s, aht_s, staffed_s, available_s, ringing_s,
	on_call_s, busy_other_s, wrapup_s, paused_s, unknown_s, occupancy
FROM ccmetrics.agent_rollup WHERE granularity = 'day' AND site IS NULL;

COMMIT;
