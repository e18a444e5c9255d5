#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# install.sh: `make install DESTDIR=...` installs exactly the daemon, the
# subscriber, ccmetrics-web, four man pages, the example configurations,
# the recorder's SQL schema and the two systemd units (with the configured
# paths in them), never the test generator; a second install keeps an
# edited configuration; uninstall removes it all.
. "$(dirname "$0")/lib.sh"

: "${MAKE:=make}"
for v in inst_bindir inst_sbindir inst_sysconfdir inst_mandir inst_unitdir \
    inst_pkgdatadir service_type; do
	eval "[ -n \"\${$v:-}\" ]" || skip "run through make check ($v unset)"
done
# Our own make, not a job slot of the one running the tests.
unset MAKEFLAGS MFLAGS MAKELEVEL
root="$TMP/root"
$MAKE -s -C "$top_builddir" install DESTDIR="$root" >"$TMP/install.log" \
    2>&1 || fail "make install: $(cat "$TMP/install.log")"

(cd "$root" && find . ! -type d | sed 's|^\.||' | sort) >"$TMP/got"
sort >"$TMP/want" <<EOT
$inst_sbindir/ccmetricsd
$inst_bindir/ccmetrics-sub
$inst_bindir/ccmetrics-web
$inst_mandir/man8/ccmetricsd.8
$inst_mandir/man5/ccmetricsd.yaml.5
$inst_mandir/man1/ccmetrics-sub.1
$inst_mandir/man1/ccmetrics-web.1
$inst_sysconfdir/ccmetricsd.yaml
$inst_sysconfdir/ccmetrics-web.yaml
$inst_unitdir/ccmetricsd.service
$inst_unitdir/ccmetrics-web.service
$inst_pkgdatadir/sql/ccmetrics.sql
EOT
diff -u "$TMP/want" "$TMP/got" || fail "installed files differ"
echo "ok: installed files"

unit="$root$inst_unitdir/ccmetricsd.service"
grep -q '@[A-Za-z_]*@' "$unit" && fail "unsubstituted: $(grep '@' "$unit")"
expect_eq "ExecStart" \
    "ExecStart=$inst_sbindir/ccmetricsd -f -c $inst_sysconfdir/ccmetricsd.yaml" \
    "$(grep '^ExecStart=' "$unit")"
expect_eq "Type" "Type=$service_type" "$(grep '^Type=' "$unit")"
for d in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict \
    ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
    'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN' \
    'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN' \
    'SystemCallFilter=@system-service'; do
	grep -qx "$d" "$unit" || fail "unit lacks $d"
done
echo "ok: unit hardening directives"

web="$root$inst_unitdir/ccmetrics-web.service"
grep -q '@[A-Za-z_]*@' "$web" && fail "unsubstituted: $(grep '@' "$web")"
expect_eq "ccmetrics-web ExecStart" \
    "ExecStart=$inst_bindir/ccmetrics-web -f -c $inst_sysconfdir/ccmetrics-web.yaml" \
    "$(grep '^ExecStart=' "$web")"
for d in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict \
    ProtectHome=yes PrivateTmp=yes PrivateDevices=yes PrivateUsers=yes \
    CapabilityBoundingSet= 'SystemCallFilter=@system-service' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
    MemoryDenyWriteExecute=yes; do
	grep -qx "$d" "$web" || fail "ccmetrics-web unit lacks $d"
done
echo "ok: ccmetrics-web unit hardening directives"

# The installed programs run, and the installed configuration checks.
out=$("$root$inst_sbindir/ccmetricsd" --version)
expect_eq "installed --version" "ccmetricsd $(ac_version)" "$out"
"$root$inst_sbindir/ccmetricsd" --check-config \
    -c "$root$inst_sysconfdir/ccmetricsd.yaml" >/dev/null ||
    fail "installed configuration does not check"
"$root$inst_bindir/ccmetrics-sub" -h >/dev/null ||
    fail "installed ccmetrics-sub -h"
expect_eq "installed ccmetrics-sub --version" "ccmetrics-sub $(ac_version)" \
    "$("$root$inst_bindir/ccmetrics-sub" --version)"
expect_eq "installed ccmetrics-web --version" "ccmetrics-web $(ac_version)" \
    "$("$root$inst_bindir/ccmetrics-web" --version)"
"$root$inst_bindir/ccmetrics-web" --check-config \
    -c "$root$inst_sysconfdir/ccmetrics-web.yaml" >/dev/null ||
    fail "installed ccmetrics-web configuration does not check"
for m in man8/ccmetricsd.8 man5/ccmetricsd.yaml.5 man1/ccmetrics-sub.1 \
    man1/ccmetrics-web.1; do
	[ -s "$root$inst_mandir/$m" ] || fail "empty man page $m"
done
page="$root$inst_mandir/man8/ccmetricsd.8"
grep -q "^\.It Pa $inst_sysconfdir/ccmetricsd\.yaml\$" "$page" ||
    fail "ccmetricsd.8 does not name $inst_sysconfdir/ccmetricsd.yaml"
grep -q "^\.It Pa $inst_unitdir/ccmetricsd\.service\$" "$page" ||
    fail "ccmetricsd.8 does not name $inst_unitdir/ccmetricsd.service"
page="$root$inst_mandir/man1/ccmetrics-web.1"
grep -q "^\.It Pa $inst_sysconfdir/ccmetrics-web\.yaml\$" "$page" ||
    fail "ccmetrics-web.1 does not name $inst_sysconfdir/ccmetrics-web.yaml"
grep -q "^\.It Pa $inst_unitdir/ccmetrics-web\.service\$" "$page" ||
    fail "ccmetrics-web.1 does not name $inst_unitdir/ccmetrics-web.service"
echo "ok: installed programs and pages"

# An upgrade keeps the operator's configuration.
echo "# edited" >>"$root$inst_sysconfdir/ccmetricsd.yaml"
$MAKE -s -C "$top_builddir" install DESTDIR="$root" >"$TMP/install.log" \
    2>&1 || fail "second make install: $(cat "$TMP/install.log")"
tail -n 1 "$root$inst_sysconfdir/ccmetricsd.yaml" | grep -q '^# edited$' ||
    fail "make install replaced an edited configuration"
echo "ok: edited configuration kept"

# Uninstall removes what install put there, and leaves the edited file.
$MAKE -s -C "$top_builddir" uninstall DESTDIR="$root" >"$TMP/install.log" \
    2>&1 || fail "make uninstall: $(cat "$TMP/install.log")"
left=$(cd "$root" && find . ! -type d | sed 's|^\.||')
expect_eq "left after uninstall" "$inst_sysconfdir/ccmetricsd.yaml" "$left"

# With systemd-analyze, the unit's exposure stays low (docs/operations.md).
if command -v systemd-analyze >/dev/null 2>&1 &&
    systemd-analyze security --offline=yes "$top_builddir/systemd/ccmetricsd.service" \
    >"$TMP/security" 2>&1; then
	score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' \
	    "$TMP/security")
	[ -n "$score" ] || fail "no score in: $(tail -n 3 "$TMP/security")"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' ||
	    fail "exposure $score above 2.5: $(grep '✗' "$TMP/security")"
	echo "ok: systemd-analyze security exposure $score"
	systemd-analyze security --offline=yes \
	    "$top_builddir/systemd/ccmetrics-web.service" >"$TMP/security" 2>&1 ||
	    true
	score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' \
	    "$TMP/security")
	[ -n "$score" ] || fail "no score in: $(tail -n 3 "$TMP/security")"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
	    fail "ccmetrics-web exposure $score above 2.0: $(grep '✗' "$TMP/security")"
	echo "ok: ccmetrics-web systemd-analyze security exposure $score"
else
	echo "note: systemd-analyze security --offline not available here"
fi
