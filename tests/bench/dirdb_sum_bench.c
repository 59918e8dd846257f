/* Cost of the per-record checks of the directory database, next to what a
 * lookup does anyway (copying the five strings of a user into the
 * caller's buffer):
 *   dirdb_sum_bench DBDIR
 * (a database built by bhxhctl db build; see BENCHMARKS.md). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dirdb.h"

static double ns_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e9 + (double)(b.tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv)
{
	struct bhxh_db db;
	struct timespec t;
	volatile size_t sink = 0;
	char buf[4096];

	if (argc != 2 || bhxh_db_open(argv[1], BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db) < 0) {
		fprintf(stderr, "usage: dirdb_sum_bench DBDIR (a readable database)\n");
		return 2;
	}
	for (int round = 0; round < 3; round++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		for (int k = 0; k < 10; k++)
			for (uint64_t i = 0; i < db.nusers; i++) {
				const struct bhxh_dbuser *u = &db.users[i];
				const uint32_t o[5] = { u->name, u->passwd, u->gecos, u->dir, u->shell };

				for (int j = 0; j < 5; j++) {
					const char *s = bhxh_db_str(&db, o[j]);
					size_t n = strlen(s) + 1;

					memcpy(buf, s, n);
					sink += n;
				}
			}
		printf("copy of a user's strings  %6.1f ns/record\n", ns_since(&t) / (10.0 * (double)db.nusers));
		clock_gettime(CLOCK_MONOTONIC, &t);
		for (int k = 0; k < 10; k++)
			for (uint64_t i = 0; i < db.nusers; i++)
				sink += (size_t)bhxh_db_user_ok(&db, &db.users[i]);
		printf("user record checksum      %6.1f ns/record\n", ns_since(&t) / (10.0 * (double)db.nusers));
		clock_gettime(CLOCK_MONOTONIC, &t);
		for (int k = 0; k < 1000; k++)
			sink += (size_t)bhxh_db_revoked(&db, bhxh_db_str(&db, db.users[k % db.nusers].name));
		printf("revocation check          %6.1f ns (%llu revoked)\n", ns_since(&t) / 1000.0,
		       (unsigned long long)db.nrev);
	}
	bhxh_db_close(&db);
	return 0;
}
