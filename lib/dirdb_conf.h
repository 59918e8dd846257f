/* Compile-time location of the directory database: its own directory
 * (0755), apart from the root-only state directory /var/lib/bhxh, so that
 * every process can resolve directory accounts.  The NSS plugin reads
 * only this path (no environment variable chooses it, so a setuid program
 * cannot be pointed at another file); test-hook builds alone honour
 * BHXH_NSS_DB_DIR through secure_getenv(). */
#ifndef BHXH_DIRDB_CONF_H
#define BHXH_DIRDB_CONF_H

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#define BHXH_DIR_DB_DIR LOCALSTATEDIR "/lib/bhxh-db"

#endif
