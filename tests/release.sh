#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# release.sh: one version everywhere: configure.ac's, what ccmetricsd
# --version prints, NEWS's newest entry and debian/changelog's newest entry.
. "$(dirname "$0")/lib.sh"

v=$(ac_version)
case $v in
[0-9]*.[0-9]*.[0-9]*) ;;
*) fail "no MAJOR.MINOR.PATCH version in configure.ac's AC_INIT: '$v'" ;;
esac

expect_eq "ccmetricsd --version" "ccmetricsd $v" "$("$CCMETRICSD" --version)"

# NEWS: the first line that starts with a version is the newest release.
news=$(grep -m 1 '^[0-9][0-9.]* ' "$top_srcdir/NEWS" | cut -d ' ' -f 1) ||
    fail "NEWS names no release"
expect_eq "NEWS newest release" "$v" "$news"

# debian/ is not in the release tarball; in a checkout its newest entry is
# this version, Debian revision 1 or later.
if [ -f "$top_srcdir/debian/changelog" ]; then
	deb=$(sed -n '1s/^ccmetrics (\([^)]*\)).*/\1/p' \
	    "$top_srcdir/debian/changelog")
	expect_eq "debian/changelog upstream version" "$v" "${deb%-*}"
	case ${deb##*-} in
	[1-9]*) ;;
	*) fail "debian/changelog: no Debian revision in '$deb'" ;;
	esac
else
	echo "note: no debian/changelog here (a release tarball)"
fi
