#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# erlang-a.sh: time one Erlang A staffing search (bench/erlang-a.c) at 1,000 and 5,000 erlangs.
# usage: bench/erlang-a.sh   (in a configured tree; builds the program on request)
set -e
build=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
${MAKE:-make} -s -C "$build" bench/erlang-a
"$build/bench/erlang-a"
