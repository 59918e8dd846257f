# A private slapd for the LDAP tests (and the benchmark): slapd.conf in a
# scratch directory, mdb backend, syncprov overlay, optional TLS with a
# throwaway CA and the ppolicy overlay; listens on 127.0.0.1 only, on the
# first free port of SLAPD_PORTS (default 38900-38949); stopped by PID.
# Source after tests/lib.sh:
#
#   slapd_init DIR [tls] [ppolicy] [nosyncprov] [sizelimit=N] [stats]
#              [noschema]            write the configuration (sizelimit: the
#                                    reader gets at most N entries a search,
#                                    any number through pages; stats: each
#                                    operation logged in DIR/slapd.log;
#                                    noschema: nobody may read the schema,
#                                    cn=Subschema)
#   slapd_load LDIF                  bulk-load (slapadd) before the start
#   slapd_start                      start; sets SLAPD_URI, SLAPD_PID and
#                                    SLAPD_LDAPI (a unix socket in the dir)
#   slapd_stop                       stop (also registered with on_exit)
#   ldap_mod  <<LDIF ... LDIF        ldapmodify as the rootdn
#   ldap_del  DN...                  ldapdelete as the rootdn
#   ldap_search FILTER [ATTR...]     ldapsearch as the rootdn
#   ldif_directory NUSERS NGROUPS [FIRSTUID]   a generated directory (stdout)
#
# Base dc=bhxh,dc=test; users under ou=people, groups under ou=groups; user
# uN has uid 500000+N (FIRSTUID), group gN gid 600000+N and members u(N*k).
# SLAPD_ROOTDN / SLAPD_ROOTPW are the manager's; SLAPD_READER_DN /
# SLAPD_READER_PW a read-only identity (reads userPassword too).

SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
SLAPD_MODDIR=${SLAPD_MODDIR:-/usr/lib/ldap}
SLAPD_SCHEMADIR=${SLAPD_SCHEMADIR:-/etc/ldap/schema}
SLAPD_PORTS=${SLAPD_PORTS:-"$(seq 38900 38949)"}
SLAPD_BASE="dc=bhxh,dc=test"
SLAPD_ROOTDN="cn=admin,$SLAPD_BASE"
SLAPD_ROOTPW="admin-secret"
SLAPD_READER_DN="cn=reader,$SLAPD_BASE"
SLAPD_READER_PW="reader-secret"
SLAPD_PID=
SLAPD_DEBUG=32768
SLAPD_URI=
SLAPD_PORT=
SLAPD_HELD= # ports whose lock this test holds

require_slapd() {
	[ -x "$SLAPD_BIN" ] || skip "needs slapd (Debian package slapd)"
	[ -f "$SLAPD_MODDIR/syncprov.so" ] || skip "needs slapd's syncprov module"
	command -v ldapmodify >/dev/null 2>&1 || skip "needs ldap-utils"
}

# slapd_tls_ca DIR: a throwaway CA and a server certificate for 127.0.0.1.
slapd_tls_ca() {
	local d=$1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bhxh test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1 || fail "openssl CA"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 || fail "openssl csr"
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" \
		>/dev/null 2>&1 || fail "openssl sign"
	chmod 600 "$d/server.key"
}

slapd_init() {
	local d=$1 opt tls=no ppolicy=no syncprov=yes size=unlimited stats=no schema=yes
	shift
	for opt in "$@"; do
		case $opt in
		tls) tls=yes ;;
		ppolicy) ppolicy=yes ;;
		nosyncprov) syncprov=no ;;
		sizelimit=*) size=${opt#sizelimit=} ;;
		stats) stats=yes ;;
		noschema) schema=no ;;
		*) fail "slapd_init: unknown option $opt" ;;
		esac
	done
	SLAPD_DIR=$d
	# "none" (32768): only what slapd logs at any level, such as a bind
	# that failed with errno=98 (slapd_start then tries the next port);
	# at -d 0 slapd exits silently when its port is taken -- by another
	# server, or by a client's ephemeral port, which the range shares
	SLAPD_DEBUG=32768
	[ $stats = no ] || SLAPD_DEBUG=256 # stats, on stderr: slapd.log
	mkdir -p "$d/db" "$d/run"
	cat >"$d/bhxhtest.schema" <<'SCHEMA'
# rfc2307bis-style groups for the tests: groupOfNames + this auxiliary class.
objectclass ( 1.3.6.1.4.1.4203.666.99.1 NAME 'bhxhTestPosixGroupAux'
	AUXILIARY MAY ( gidNumber $ memberUid $ description ) )
SCHEMA
	{
		for s in core cosine nis inetorgperson; do
			echo "include $SLAPD_SCHEMADIR/$s.schema"
		done
		echo "include $d/bhxhtest.schema"
		echo "pidfile $d/run/slapd.pid"
		echo "argsfile $d/run/slapd.args"
		echo "modulepath $SLAPD_MODDIR"
		echo "moduleload back_mdb"
		[ $syncprov = yes ] && echo "moduleload syncprov"
		[ $ppolicy = yes ] && echo "moduleload ppolicy"
		if [ $tls = yes ]; then
			slapd_tls_ca "$d"
			echo "TLSCACertificateFile $d/ca.pem"
			echo "TLSCertificateFile $d/server.pem"
			echo "TLSCertificateKeyFile $d/server.key"
		fi
		echo "sizelimit unlimited"
		echo "sockbuf_max_incoming_auth 33554432"
		if [ $schema = no ]; then
			# the frontend's rules: the root DSE readable, the
			# subschema subentry not
			echo 'access to dn.base="" by * read'
			echo 'access to dn.base="cn=Subschema" by * none'
		fi
		echo "database mdb"
		echo "maxsize 1073741824"
		echo "suffix \"$SLAPD_BASE\""
		echo "rootdn \"$SLAPD_ROOTDN\""
		echo "rootpw $SLAPD_ROOTPW"
		echo "directory $d/db"
		echo "index objectClass,entryCSN,entryUUID eq"
		echo "index uid,memberUid,uidNumber,gidNumber eq"
		echo "access to attrs=userPassword by self write by dn.exact=\"$SLAPD_READER_DN\" read by anonymous auth by * none"
		echo "access to * by dn.exact=\"$SLAPD_READER_DN\" read by * read"
		if [ "$size" = unlimited ]; then
			echo "limits dn.exact=\"$SLAPD_READER_DN\" size=unlimited time=unlimited"
		else
			# a search returns at most $size entries, pages of a paged
			# search as many as asked for in all
			echo "limits dn.exact=\"$SLAPD_READER_DN\" size.soft=$size size.hard=$size size.prtotal=unlimited time=unlimited"
		fi
		if [ $syncprov = yes ]; then
			echo "overlay syncprov"
			echo "syncprov-checkpoint 100 1"
			echo "syncprov-sessionlog 1000"
		fi
		if [ $ppolicy = yes ]; then
			echo "overlay ppolicy"
			echo "ppolicy_default \"cn=default,ou=policies,$SLAPD_BASE\""
		fi
	} >"$d/slapd.conf"
	{
		echo "dn: $SLAPD_BASE"
		echo "objectClass: dcObject"
		echo "objectClass: organization"
		echo "o: BHXH test"
		echo "dc: bhxh"
		echo
		echo "dn: $SLAPD_READER_DN"
		echo "objectClass: organizationalRole"
		echo "objectClass: simpleSecurityObject"
		echo "cn: reader"
		echo "userPassword: $SLAPD_READER_PW"
		echo
		for ou in people groups policies; do
			echo "dn: ou=$ou,$SLAPD_BASE"
			echo "objectClass: organizationalUnit"
			echo "ou: $ou"
			echo
		done
	} >"$d/base.ldif"
	"$SLAPD_BIN" -Tadd -f "$d/slapd.conf" -l "$d/base.ldif" >"$d/slapadd.log" 2>&1 ||
		fail "slapadd base: $(cat "$d/slapadd.log")"
}

# slapd_load LDIF: bulk-load before slapd_start (slapadd).
slapd_load() {
	"$SLAPD_BIN" -Tadd -q -f "$SLAPD_DIR/slapd.conf" -l "$1" >"$SLAPD_DIR/slapadd.log" 2>&1 ||
		fail "slapadd: $(cat "$SLAPD_DIR/slapadd.log")"
}

slapd_start() {
	local port i lockfd
	mkdir -p /run/lock
	for port in $SLAPD_PORTS; do
		# One test per port: tests run in parallel (make -j), and a
		# slapd that loses the race for a port exits a moment after
		# another test's slapd on that port has already answered this
		# test's probe.  The lock is held until this test exits.
		case " $SLAPD_HELD " in
		*" $port "*) ;; # ours already (slapd_restart)
		*)
			exec {lockfd}>>"/run/lock/bhxh-slapd-$port.lock"
			if ! flock -n "$lockfd"; then
				exec {lockfd}>&-
				continue
			fi
			SLAPD_HELD="$SLAPD_HELD $port"
			;;
		esac
		SLAPD_LDAPI="ldapi://$(printf '%s' "$SLAPD_DIR/run/ldapi" | sed 's|/|%2F|g')"
		"$SLAPD_BIN" -d "$SLAPD_DEBUG" -f "$SLAPD_DIR/slapd.conf" -h "ldap://127.0.0.1:$port/ $SLAPD_LDAPI" \
			>"$SLAPD_DIR/slapd.log" 2>&1 9>&- &
		SLAPD_PID=$!
		on_exit "kill $SLAPD_PID; sleep 0.2; kill -9 $SLAPD_PID"
		for i in $(seq 100); do
			if ! kill -0 "$SLAPD_PID" 2>/dev/null; then
				break
			fi
			if ldapsearch -x -LLL -H "ldap://127.0.0.1:$port/" -b "" -s base \
				namingContexts >/dev/null 2>&1 && kill -0 "$SLAPD_PID" 2>/dev/null &&
				! grep -q 'bind(.*errno=98' "$SLAPD_DIR/slapd.log"; then
				SLAPD_PORT=$port
				SLAPD_URI="ldap://127.0.0.1:$port/"
				return 0
			fi
			sleep 0.05
		done
		kill "$SLAPD_PID" 2>/dev/null
		wait "$SLAPD_PID" 2>/dev/null
		grep -q 'bind(.*errno=98' "$SLAPD_DIR/slapd.log" || {
			cat "$SLAPD_DIR/slapd.log" >&2
			fail "slapd did not start"
		}
	done
	fail "no free port for slapd in $SLAPD_PORTS"
}

# slapd_stop: by PID (the server may be started again with slapd_restart).
slapd_stop() {
	[ -n "$SLAPD_PID" ] || return 0
	kill "$SLAPD_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$SLAPD_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$SLAPD_PID" 2>/dev/null
	wait "$SLAPD_PID" 2>/dev/null
	SLAPD_PID=
}

# slapd_restart: the same port again (SLAPD_PORTS narrowed to it).
slapd_restart() {
	local SLAPD_PORTS=$SLAPD_PORT
	slapd_stop
	slapd_start
}

ldap_mod() {
	ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null
}
ldap_add() {
	ldapadd -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null
}
ldap_del() {
	ldapdelete -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" "$@"
}
ldap_search() {
	local f=$1
	shift
	ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" \
		-b "$SLAPD_BASE" "$f" "$@"
}

# ldif_user NAME UID GID [EXTRA-LINES]: one posixAccount + shadowAccount.
ldif_user() {
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nobjectClass: shadowAccount\nuid: %s\ncn: User %s\nsn: %s\nuidNumber: %s\ngidNumber: %s\nhomeDirectory: /home/%s\nloginShell: /bin/bash\nshadowLastChange: 19000\nshadowMax: 99999\n' \
		"$1" "$SLAPD_BASE" "$1" "$1" "$1" "$2" "$3" "$1"
	[ -z "${4:-}" ] || printf '%s\n' "$4"
	echo
}

# ldif_group NAME GID MEMBER...: an RFC 2307 posixGroup.
ldif_group() {
	local n=$1 g=$2 m
	shift 2
	printf 'dn: cn=%s,ou=groups,%s\nobjectClass: posixGroup\ncn: %s\ngidNumber: %s\n' \
		"$n" "$SLAPD_BASE" "$n" "$g"
	for m in "$@"; do printf 'memberUid: %s\n' "$m"; done
	echo
}

ldif_directory() {
	awk -v nu="$1" -v ng="$2" -v first="${3:-500000}" -v base="$SLAPD_BASE" 'BEGIN {
		for (i = 0; i < nu; i++) {
			printf "dn: uid=u%d,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nobjectClass: shadowAccount\nuid: u%d\ncn: User %d\nsn: u%d\nuidNumber: %d\ngidNumber: %d\nhomeDirectory: /home/u%d\nloginShell: /bin/bash\nshadowLastChange: 19000\nshadowMax: 99999\n\n", i, base, i, i, i, first + i, first + 100000, i
		}
		for (g = 0; g < ng; g++) {
			printf "dn: cn=g%d,ou=groups,%s\nobjectClass: posixGroup\ncn: g%d\ngidNumber: %d\n", g, base, g, first + 100000 + g
			for (k = g; k < nu && k < g + 50 * ng; k += ng) printf "memberUid: u%d\n", k
			printf "\n"
		}
	}'
}
