#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# wallboard-agents.sh: the wallboard's agent chips, SL interval and threshold colours against the generator's truth (tests/wallboard-agents.py).
. "$(dirname "$0")/lib.sh"

: "${CHROMIUM:=/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (Debian package chromium)"
[ -x "$top_builddir/ccmetrics-web" ] || fail "no ccmetrics-web built"
export CHROMIUM top_srcdir top_builddir

$PYTHON3 "$top_srcdir/tests/wallboard-agents.py" "$TMP/check" || {
	for f in "$TMP"/check/d.log "$TMP"/check/w*/*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
	done
	fail "wallboard agents"
}
