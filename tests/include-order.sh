#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# include-order.sh: data flows one way (DESIGN.md 1), and so do includes:
# a stage's header and source may include only the headers of stages
# upstream of it (and the shared utilities), never one downstream.
. "$(dirname "$0")/lib.sh"

# rank NAME: the pipeline position of a header; 0 for shared utilities.
rank() {
	case "$1" in
	addr|conf|config|log|xmalloc|strmap|siphash|timegate|erlang|csvrec|\
	sha256|privacy|privdrop|notify|notify-none|jsonw|ptime|erlanga|\
	jsonrow|pgrec|natsrc|recorder) echo 0 ;;
	capture|reload) echo 1 ;;
	payload|sipscan) echo 2 ;;
	ipfrag|tcpstream|hep|heplisten) echo 3 ;;
	decode) echo 4 ;;
	sip|sipfast|sdp|osiparena) echo 5 ;;
	leg) echo 6 ;;
	contact) echo 7 ;;
	agent) echo 8 ;;
	interval) echo 9 ;;
	publish|zap|natspub) echo 10 ;;
	record) echo 11 ;;
	pipeline) echo 12 ;;
	# ccmetrics-web (src/web/): a consumer of the feed, off the pipeline.
	wbuf|webconf) echo 0 ;;
	webmetrics|websse|webfeed|board) echo 20 ;;
	webhttp) echo 21 ;;
	*) echo unknown ;;
	esac
}

bad=0
for f in "$top_srcdir"/include/ccmetrics/*.h "$top_srcdir"/src/*.c; do
	name=$(basename "$f" | sed 's/\.[ch]$//')
	[ "$name" = main ] && continue		# main.c wires every stage
	# A source file ranks as its own header (sipmsg.c owns sip.h).
	[ "$name" = sipmsg ] && name=sip
	[ "$name" = notify-none ] && name=notify
	own=$(rank "$name")
	[ "$own" = unknown ] && { echo "no rank for $f"; bad=1; continue; }
	for inc in $(sed -n 's/^#include "ccmetrics\/\([a-z]*\)\.h".*/\1/p' "$f"); do
		r=$(rank "$inc")
		if [ "$r" = unknown ]; then
			echo "$f: unknown header ccmetrics/$inc.h: give it a rank"
			bad=1
		elif [ "$r" -gt "$own" ] && [ "$own" -ne 0 -o "$r" -ne 0 ]; then
			echo "$f: includes ccmetrics/$inc.h, downstream of it"
			bad=1
		fi
	done
done
[ "$bad" -eq 0 ] || fail "includes point back up the pipeline"
echo "ok: every include points upstream"
