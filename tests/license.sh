#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# license.sh: every tracked source, header, script, test, man page, unit,
# build file and example configuration starts with the SPDX line of its
# kind (after a shebang or an XML declaration); data and docs are exempt.
. "$(dirname "$0")/lib.sh"

spdx="SPDX-License-Identifier: BSD-2-Clause"

# The files git tracks: only a checkout of its own has that list (a
# release tarball's files all come from it and were checked there).
src=$(cd "$top_srcdir" && pwd -P)
command -v git >/dev/null 2>&1 || skip "git is not installed"
[ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" = "$src" ] ||
    skip "$src is not a git checkout"
git -C "$src" ls-files >"$TMP/files"
sort -o "$TMP/files" "$TMP/files"

# want FILE: the exact SPDX line FILE must carry, empty when exempt.
want() {
	case $1 in
	fuzz/corpus/*|fuzz/regress/*|samples/*) return ;;
	*.c|*.h) echo "/* $spdx */" ;;
	*.xml) echo "<!-- $spdx -->" ;;
	man/*.[1-8]) echo ".\\\" $spdx" ;;
	configure.ac|m4/*.m4) echo "dnl $spdx" ;;
	*.sql) echo "-- $spdx" ;;
	*.sh|*.py|*.in|*.am|*.yaml|*.dict|debian/rules|.ci/*|scripts/*|tools/*|\
	bootstrap) echo "# $spdx" ;;
	*)	# Anything else that is a script (shebang) is checked too.
		if head -c 2 "$src/$1" | grep -q '^#!'; then
			echo "# $spdx"
		fi ;;
	esac
}

# The line comes first, or second after "#!" or "<?xml".
carries() {
	line1=$(sed -n 1p "$src/$1")
	case $line1 in
	"#!"*|"<?xml"*) line1=$(sed -n 2p "$src/$1") ;;
	esac
	[ "$line1" = "$2" ]
}

checked=0
bad=0
while IFS= read -r f; do
	[ -f "$src/$f" ] || continue
	w=$(want "$f")
	[ -n "$w" ] || continue
	checked=$((checked + 1))
	if ! carries "$f" "$w"; then
		echo "missing '$w' at the top: $f" >&2
		bad=$((bad + 1))
	fi
done <"$TMP/files"

# The list must hold the project's own files, or the check proves nothing.
for f in src/main.c tests/lib.sh man/ccmetricsd.8 configure.ac; do
	grep -qx "$f" "$TMP/files" || fail "$f is not among the tracked files"
done
[ "$bad" -eq 0 ] || fail "$bad of $checked files lack their SPDX line"
echo "ok: $checked tracked files carry their SPDX line"
