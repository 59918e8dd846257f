/* Fuzz target for the directory database reader and the source parser.
 *
 * The first input byte chooses the target:
 *   even: the reader.  The rest is a database image (passwd.db, or
 *         shadow.db when bit 1 is set); its header checksum and size are
 *         fixed up so that mutations reach the section and record code.
 *         Every lookup and the full check run; nothing may read out of
 *         bounds (ASan) or hang.
 *   odd:  the source parser.  The rest is split at 0x01 bytes into passwd,
 *         group, shadow and revoked.  A source that parses and validates
 *         must serialize into an image that passes the full check, and
 *         every user must be found again by name and by uid.
 *
 * libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -DBHXH_LIBFUZZER \
 *               -I BUILD -I lib tests/fuzz/fuzz_dirdb.c lib/dirdb.c \
 *               lib/dirdb_build.c lib/util.c -o fuzz_dirdb && ./fuzz_dirdb
 * make check: the standalone driver below mutates built-in seeds for a
 *             bounded time (argument: seconds, default 3), or replays the
 *             files given as arguments. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dirdb.h"
#include "dirdb_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c)                                                                     \
	do {                                                                               \
		if (!(c)) {                                                                \
			fprintf(stderr, "fuzz assertion failed: %s (%s:%d)\n", #c,         \
				__FILE__, __LINE__);                                       \
			abort();                                                           \
		}                                                                          \
	} while (0)

static void exercise(const struct bhxh_db *db, const uint8_t *data, size_t size)
{
	char name[16];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	memcpy(name, data, n);
	name[n] = '\0';
	(void)bhxh_db_check(db);
	(void)bhxh_db_user_by_name(db, name);
	(void)bhxh_db_group_by_name(db, name);
	(void)bhxh_db_member_by_name(db, name);
	(void)bhxh_db_shadow_by_name(db, name);
	for (uint32_t k = 0; k < 4; k++) {
		uint32_t id = 0;

		if (size >= 4 * (k + 1))
			memcpy(&id, data + 4 * k, 4);
		(void)bhxh_db_user_by_uid(db, id);
		(void)bhxh_db_group_by_gid(db, id);
	}
	/* What the plugin does while enumerating. */
	for (uint64_t i = 0; i < db->nusers && i < 64; i++) {
		const char *s = bhxh_db_str(db, db->users[i].name);

		if (s != NULL)
			(void)bhxh_db_user_by_name(db, s);
		(void)bhxh_db_str(db, db->users[i].shell);
	}
	for (uint64_t i = 0; i < db->ngroups && i < 64; i++) {
		const struct bhxh_dbgroup *g = &db->groups[i];
		const char *blk;
		const uint32_t *rel;

		for (uint32_t m = 0; m < g->nmem && m < 64; m++)
			(void)bhxh_db_group_member(db, g, m);
		if (bhxh_db_group_block(db, g, &blk, &rel) == 0 && g->memlen > 0)
			(void)strlen(blk + g->memlen - 1);
	}
}

static void fuzz_reader(const uint8_t *data, size_t size, bool shadow)
{
	uint64_t *img = malloc(size + 8);
	struct bhxh_db db;

	if (img == NULL)
		return;
	memcpy(img, data, size);
	if (size >= sizeof(struct bhxh_dbhdr)) {
		struct bhxh_dbhdr *h = (struct bhxh_dbhdr *)(void *)img;

		memcpy(h->magic, shadow ? BHXH_DB_MAGIC_SP : BHXH_DB_MAGIC_PW, sizeof(h->magic));
		h->file_size = size;
		h->hdr_sum = bhxh_db_sum(BHXH_DB_SUM_INIT, h, offsetof(struct bhxh_dbhdr, hdr_sum));
	}
	if (bhxh_db_from_memory(img, size, shadow, 0, &db) == 0)
		exercise(&db, data, size);
	free(img);
}

static void fuzz_source(const uint8_t *data, size_t size)
{
	struct bhxh_dirsrc s;
	char err[256];
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0, start = 0;
	int k = 0, r = 0;

	bhxh_dirsrc_init(&s);
	for (size_t i = 0; i <= size && k < 4 && r == 0; i++) {
		if (i < size && data[i] != 0x01)
			continue;
		s.buf[k] = malloc(i - start + 1);
		if (s.buf[k] == NULL)
			goto out;
		memcpy(s.buf[k], data + start, i - start);
		r = bhxh_dirsrc_parse(&s, (enum bhxh_srckind)k, "fuzz", s.buf[k], i - start, err,
				      sizeof(err));
		k++;
		start = i + 1;
	}
	if (r < 0 || bhxh_dirsrc_validate(&s, NULL, NULL, err, sizeof(err)) < 0)
		goto out;
	if (bhxh_dirdb_serialize(&s, 1, &pw, &pwlen, &sp, &splen) == 0) {
		struct bhxh_db db, sdb;

		FUZZ_ASSERT(bhxh_db_from_memory(pw, pwlen, false, BHXH_DB_CHECKSUM, &db) == 0);
		FUZZ_ASSERT(bhxh_db_check(&db) == 0);
		FUZZ_ASSERT(db.nusers == s.nusers && db.ngroups == s.ngroups);
		for (size_t i = 0; i < s.nusers; i++) {
			const struct bhxh_dbuser *u = bhxh_db_user_by_name(&db, s.users[i].name);

			FUZZ_ASSERT(u != NULL && u->uid == s.users[i].uid);
			FUZZ_ASSERT(bhxh_db_user_by_uid(&db, s.users[i].uid) == u);
		}
		FUZZ_ASSERT(bhxh_db_from_memory(sp, splen, true, BHXH_DB_CHECKSUM, &sdb) == 0);
		FUZZ_ASSERT(bhxh_db_check(&sdb) == 0);
	}
out:
	free(pw);
	free(sp);
	bhxh_dirsrc_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_source(data + 1, size - 1);
	else
		fuzz_reader(data + 1, size - 1, (data[0] & 2) != 0);
	return 0;
}

#ifndef BHXH_LIBFUZZER
static const char SEED_SRC[] = "\x01"
			       "alice:x:200001:200001:Alice:/home/alice:/bin/bash\n"
			       "bob:x:200002:200001:Bob:/home/bob:/bin/sh\n"
			       "\x01staff:x:200001:alice,bob\ndevs:x:200002:bob,carol\n"
			       "\x01"
			       "alice:$6$s$h:19000:0:99999:7:::\n"
			       "\x01"
			       "bob\n";

/* A seed image built from the seed source. */
static uint8_t *seed_image(bool shadow, size_t *len)
{
	struct bhxh_dirsrc s;
	char err[256];
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0, start = 1;
	const char *src = SEED_SRC;
	size_t n = sizeof(SEED_SRC) - 1;
	uint8_t *out;
	int k = 0;

	bhxh_dirsrc_init(&s);
	for (size_t i = 1; i <= n && k < 4; i++) {
		if (i < n && src[i] != 0x01)
			continue;
		s.buf[k] = malloc(i - start + 1);
		memcpy(s.buf[k], src + start, i - start);
		FUZZ_ASSERT(bhxh_dirsrc_parse(&s, (enum bhxh_srckind)k, "seed", s.buf[k], i - start,
					      err, sizeof(err)) == 0);
		k++;
		start = i + 1;
	}
	FUZZ_ASSERT(bhxh_dirsrc_validate(&s, NULL, NULL, err, sizeof(err)) == 0);
	FUZZ_ASSERT(bhxh_dirdb_serialize(&s, 1, &pw, &pwlen, &sp, &splen) == 0);
	bhxh_dirsrc_free(&s);
	out = malloc((shadow ? splen : pwlen) + 1);
	out[0] = shadow ? 2 : 0;
	memcpy(out + 1, shadow ? sp : pw, shadow ? splen : pwlen);
	*len = (shadow ? splen : pwlen) + 1;
	free(pw);
	free(sp);
	return out;
}

static void mutate(uint8_t *b, size_t *len, size_t cap, unsigned *seed)
{
	int n = 1 + (int)(rand_r(seed) % 8);

	for (int i = 0; i < n && *len > 1; i++) {
		size_t at = 1 + (size_t)rand_r(seed) % (*len - 1);

		switch (rand_r(seed) % 6) {
		case 0:
			b[at] ^= (uint8_t)(1u << (rand_r(seed) % 8));
			break;
		case 1:
			b[at] = (uint8_t)rand_r(seed);
			break;
		case 2: /* an interesting 32-bit value */
			if (at + 4 <= *len) {
				static const uint32_t v[] = { 0, 1, 0x7fffffff, 0xffffffff, 0x80,
							      0xfffffff8 };
				memcpy(b + at, &v[rand_r(seed) % 6], 4);
			}
			break;
		case 3:
			*len = at;
			break;
		case 4:
			if (*len < cap) {
				memmove(b + at + 1, b + at, *len - at);
				b[at] = (uint8_t)"\n:,\x01x0/"[rand_r(seed) % 7];
				(*len)++;
			}
			break;
		default:
			if (*len > 2) {
				memmove(b + at, b + at + 1, *len - at - 1);
				(*len)--;
			}
			break;
		}
	}
}

int main(int argc, char **argv)
{
	long seconds = 3, runs = 0;
	unsigned seed = (unsigned)time(NULL);
	uint8_t *seeds[3];
	size_t seedlen[3];
	time_t end;

	if (argc > 1 && strcmp(argv[1], "--replay") == 0) {
		for (int i = 2; i < argc; i++) {
			FILE *f = fopen(argv[i], "rb");
			uint8_t buf[1 << 16];
			size_t n;

			if (f == NULL)
				return 2;
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, n);
		}
		return 0;
	}
	if (argc > 1)
		seconds = atol(argv[1]);
	seeds[0] = seed_image(false, &seedlen[0]);
	seeds[1] = seed_image(true, &seedlen[1]);
	seedlen[2] = sizeof(SEED_SRC) - 1;
	seeds[2] = malloc(seedlen[2]);
	memcpy(seeds[2], SEED_SRC, seedlen[2]);
	printf("seed %u, %ld s\n", seed, seconds);
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		for (int s = 0; s < 3; s++) {
			size_t cap = seedlen[s] + 64, len = seedlen[s];
			uint8_t *b = malloc(cap);

			memcpy(b, seeds[s], len);
			mutate(b, &len, cap, &seed);
			LLVMFuzzerTestOneInput(b, len);
			free(b);
			runs++;
		}
	}
	/* The unmutated seeds must pass too. */
	for (int s = 0; s < 3; s++) {
		LLVMFuzzerTestOneInput(seeds[s], seedlen[s]);
		free(seeds[s]);
	}
	printf("%ld runs\n", runs);
	return 0;
}
#endif
