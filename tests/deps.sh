#!/bin/sh
# Install every Debian 12 package that building, testing, the demo and the
# benchmarks need.  Idempotent; needs root.
set -eu
export DEBIAN_FRONTEND=noninteractive
PKGS="build-essential autoconf automake libtool pkg-config gettext autopoint
  libpam0g-dev libpam-modules libpam-runtime libpwquality-dev libpwquality-tools
  libpam-pwquality libcrack2-dev cracklib-runtime libaudit-dev libauparse-dev
  auditd libcrypt-dev check libpam-wrapper libpamtest0-dev libnss-wrapper
  libnss-cache hunspell-vi john-data wamerican valgrind locales passwd
  python3 procps util-linux cppcheck bc audispd-plugins chromium time
  debhelper dh-nss dpkg-dev fakeroot lintian git
  tmux login
  clang libclang-rt-14-dev
  openssh-client sshpass
  libldap-dev ldap-utils openssl"
# per-handle cost and linkage tests (strace, nm, readelf); the lockout and
# denylist benchmarks (openssl passwd, passwdqc's pwqfilter)
PKGS="$PKGS strace binutils openssl passwdqc"
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: run as root (apt-get install)" >&2
	exit 1
fi
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $PKGS
# Install a daemon's package without starting the system's copy of the
# daemon (the tests start their own, on loopback): service starts are denied
# for the duration of the install unless the machine already denies them.
install_daemon() {
	local prc= rc=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		prc=1
	fi
	apt-get install -y --no-install-recommends "$@" || rc=$?
	if [ -n "$prc" ]; then rm -f /usr/sbin/policy-rc.d; fi
	return "$rc"
}
# ClamAV for the posture tests, which start their own clamd on a tiny local
# signature database.  Its packages must not start the system's daemons
# (freshclam would try to download signatures): deny service starts for the
# duration of the install unless the machine already does.
if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
	install_daemon clamav-daemon || true
fi
# sshd for the lang= test, which starts its own sshd on 127.0.0.1 (ports
# 22220-22229) with its own configuration: the package must not start the
# system's sshd on port 22, so service starts are denied during the install
# unless the machine already denies them.
if [ ! -x /usr/sbin/sshd ]; then
	install_daemon openssh-server || true
fi
# slapd for the LDAP tests, which start their own server on 127.0.0.1: its
# package must not start the system's server (port 389 on every address).
if [ ! -x /usr/sbin/slapd ]; then
	install_daemon slapd
fi
# Vietnamese locale for the message tests and the demo
if ! locale -a 2>/dev/null | grep -qi '^vi_VN\.utf8$'; then
	sed -i 's/^# *\(vi_VN.UTF-8 UTF-8\)/\1/' /etc/locale.gen
	grep -q '^vi_VN.UTF-8 UTF-8' /etc/locale.gen || echo 'vi_VN.UTF-8 UTF-8' >>/etc/locale.gen
	locale-gen >/dev/null
fi
