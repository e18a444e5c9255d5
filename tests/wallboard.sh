#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# wallboard.sh: the wallboard page in a real headless Chromium, served by a
# real ccmetrics-web fed by a real ccmetricsd replaying generated days; its
# tiles must equal the generator's truth at the moment they show, and it
# must come back after ccmetricsd and ccmetrics-web restart (tests/wallboard.py).
# WALLBOARD_SCREENSHOT=docs/wallboard.png also saves the README's picture
# from a replay of the bundled sample.
. "$(dirname "$0")/lib.sh"

: "${CHROMIUM:=/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (Debian package chromium)"
[ -x "$top_builddir/ccmetrics-web" ] || fail "no ccmetrics-web built"
export CHROMIUM

outdir="$top_builddir/tests/wallboard.out"
rm -rf "$outdir"
mkdir -p "$outdir"
$PYTHON3 "$top_srcdir/tests/wallboard.py" check "$TMP/check" "$outdir" ||
    { cp "$TMP"/check/*.log "$outdir" 2>/dev/null || :; fail "wallboard"; }
if [ -n "${WALLBOARD_SCREENSHOT:-}" ]; then
	case $WALLBOARD_SCREENSHOT in
	/*) png=$WALLBOARD_SCREENSHOT ;;
	*) png="$top_srcdir/$WALLBOARD_SCREENSHOT" ;;
	esac
	$PYTHON3 "$top_srcdir/tests/wallboard.py" screenshot "$TMP/shot" \
	    "$png" || fail "screenshot"
fi
