/* Fuzz target for the LDAP entry -> directory record mapping (ldap_map.c).
 *
 * The first input byte chooses the target:
 *   even: the serialized-entry parser (the sync cache's format): the rest
 *         is one serialized entry; whatever parses must map without error
 *         other than a clear refusal, and must serialize back identically.
 *   odd:  the mapping.  The rest is split at 0x01 bytes into entries, each
 *         "DN\nattr: value\nattr: value..." (bit 1 of the first byte:
 *         rfc2307bis; bit 2: the entry matches the revoked filter).  A set
 *         that maps and validates must serialize into a database image that
 *         passes the full check, every account found again by name.
 *
 * libFuzzer:  clang -g -O1 -fsanitize=fuzzer,address,undefined -DBHXH_LIBFUZZER \
 *               -I BUILD -I lib tests/fuzz/fuzz_ldapmap.c lib/ldap_map.c \
 *               lib/conf_ldap.c lib/conf*.c lib/dirdb.c lib/dirdb_build.c lib/util.c \
 *               -o fuzz_ldapmap && ./fuzz_ldapmap
 * make check: the standalone driver below mutates built-in seeds for a
 *             bounded time (argument: seconds, default 3), or replays the
 *             files given with --replay. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "dirdb.h"
#include "ldap_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c)                                                                     \
	do {                                                                               \
		if (!(c)) {                                                                \
			fprintf(stderr, "fuzz assertion failed: %s (%s:%d)\n", #c,         \
				__FILE__, __LINE__);                                       \
			abort();                                                           \
		}                                                                          \
	} while (0)

#define MAX_ENTS 64

static void check_source(const struct bhxh_dirsrc *s)
{
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0;
	struct bhxh_db db;

	if (bhxh_dirdb_serialize(s, 1, &pw, &pwlen, &sp, &splen) < 0)
		return;
	FUZZ_ASSERT(bhxh_db_from_memory(pw, pwlen, false, BHXH_DB_CHECKSUM, &db) == 0);
	FUZZ_ASSERT(bhxh_db_check(&db) == 0);
	for (size_t i = 0; i < s->nusers; i++)
		FUZZ_ASSERT(bhxh_db_user_by_name(&db, s->users[i].name) != NULL);
	bhxh_db_close(&db);
	free(pw);
	free(sp);
}

static void map_entries(const uint8_t *data, size_t size, unsigned flags)
{
	static struct bhxh_conf conf;
	struct bhxh_ldap_entry *ents[MAX_ENTS];
	struct bhxh_ldap_src ls;
	char err[512];
	size_t n = 0, start = 0;
	char *text = malloc(size + 1);

	bhxh_conf_init(&conf);
	conf.ldap.schema = (flags & 2) ? BHXH_LDAP_RFC2307BIS : BHXH_LDAP_RFC2307;
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i <= size && n < MAX_ENTS; i++) {
		struct bhxh_ldap_ebuf b;
		char *line, *save = NULL;

		if (i < size && text[i] != 0x01)
			continue;
		text[i] = '\0';
		memset(&b, 0, sizeof(b));
		line = strtok_r(text + start, "\n", &save);
		start = i + 1;
		if (line == NULL)
			continue;
		bhxh_ldap_eb_begin(&b, line);
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			char *colon = strstr(line, ": ");
			size_t nl;

			if (colon == NULL)
				continue;
			*colon = '\0';
			nl = strlen(colon + 2);
			bhxh_ldap_eb_attr(&b, line);
			/* "x*N" makes a long value out of a short input */
			if (nl > 2 && colon[2] == '*' && colon[3] == '*') {
				size_t big = BHXH_LDAP_VAL_MAX + 10;
				char *v = malloc(big);

				memset(v, 'a', big);
				bhxh_ldap_eb_val(&b, v, big);
				free(v);
			} else
				bhxh_ldap_eb_val(&b, colon + 2, nl);
		}
		if (bhxh_ldap_eb_end(&b) == 0 &&
		    bhxh_ldap_entry_parse(b.p + b.start, b.len - b.start, &ents[n]) == 0) {
			ents[n]->kind = bhxh_ldap_kind(&conf.ldap.attr, ents[n]);
			ents[n]->revoked = (flags & 4) != 0 && (n % 2) == 0;
			n++;
		}
		bhxh_ldap_eb_free(&b);
	}
	bhxh_ldap_src_init(&ls);
	if (bhxh_ldap_build(&conf.ldap, (const struct bhxh_ldap_entry *const *)ents, n, NULL,
			    NULL, &ls, err, sizeof(err)) == 0)
		check_source(&ls.s);
	else
		FUZZ_ASSERT(err[0] != '\0');
	bhxh_ldap_src_free(&ls);
	for (size_t i = 0; i < n; i++)
		bhxh_ldap_entry_free(ents[i]);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bhxh_ldap_entry *e = NULL;

	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0) {
		if (bhxh_ldap_entry_parse(data + 1, size - 1, &e) == 0) {
			size_t bl;
			const void *b = bhxh_ldap_entry_blob(e, &bl);

			FUZZ_ASSERT(bl == size - 1 && memcmp(b, data + 1, bl) == 0);
			bhxh_ldap_entry_free(e);
		}
		return 0;
	}
	map_entries(data + 1, size - 1, data[0]);
	return 0;
}

#ifndef BHXH_LIBFUZZER
static const char SEED_MAP[] =
	"\x07"
	"uid=alice,ou=people,dc=x\nuid: alice\nuidNumber: 200001\ngidNumber: 200001\n"
	"cn: Alice\nhomeDirectory: /home/alice\nloginShell: /bin/bash\n"
	"userPassword: {CRYPT}$6$s$h\nshadowLastChange: 19000\nshadowMax: 99999\n"
	"\x01uid=bob,ou=people,dc=x\nuid: bob\nuidNumber: 200002\ngidNumber: 200001\n"
	"homeDirectory: /home/bob\n"
	"\x01"
	"cn=staff,ou=groups,dc=x\ncn: staff\ngidNumber: 200001\nmemberUid: alice\n"
	"member: uid=bob,ou=people,dc=x\nmember: cn=devs,ou=groups,dc=x\n"
	"\x01"
	"cn=devs,ou=groups,dc=x\ncn: devs\ngidNumber: 200002\nmember: uid=alice, ou=people,dc=x\n";

static uint8_t *seed_blob(size_t *len)
{
	struct bhxh_ldap_ebuf b;
	uint8_t *out;

	memset(&b, 0, sizeof(b));
	bhxh_ldap_eb_begin(&b, "uid=alice,ou=people,dc=x");
	bhxh_ldap_eb_attr(&b, "uid");
	bhxh_ldap_eb_val(&b, "alice", 5);
	bhxh_ldap_eb_attr(&b, "uidNumber");
	bhxh_ldap_eb_val(&b, "200001", 6);
	FUZZ_ASSERT(bhxh_ldap_eb_end(&b) == 0);
	out = malloc(b.len + 1);
	out[0] = 0;
	memcpy(out + 1, b.p, b.len);
	*len = b.len + 1;
	bhxh_ldap_eb_free(&b);
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
		case 2:
			if (at + 4 <= *len) {
				static const uint32_t v[] = { 0, 1, 0x7fffffff, 0xffffffff, 4097 };
				memcpy(b + at, &v[rand_r(seed) % 5], 4);
			}
			break;
		case 3:
			*len = at;
			break;
		case 4:
			if (*len < cap) {
				memmove(b + at + 1, b + at, *len - at);
				b[at] = (uint8_t)"\n:,\x01=0 *"[rand_r(seed) % 8];
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
	uint8_t *seeds[2];
	size_t seedlen[2];
	time_t end;

	if (argc > 1 && strcmp(argv[1], "--replay") == 0) {
		for (int i = 2; i < argc; i++) {
			FILE *f = fopen(argv[i], "rb");
			static uint8_t buf[1 << 16];
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
	seeds[0] = seed_blob(&seedlen[0]);
	seedlen[1] = sizeof(SEED_MAP) - 1;
	seeds[1] = malloc(seedlen[1]);
	memcpy(seeds[1], SEED_MAP, seedlen[1]);
	printf("seed %u, %ld s\n", seed, seconds);
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		for (int s = 0; s < 2; s++) {
			size_t cap = seedlen[s] + 64, len = seedlen[s];
			uint8_t *b = malloc(cap);

			memcpy(b, seeds[s], len);
			mutate(b, &len, cap, &seed);
			LLVMFuzzerTestOneInput(b, len);
			free(b);
			runs++;
		}
	}
	for (int s = 0; s < 2; s++) {
		LLVMFuzzerTestOneInput(seeds[s], seedlen[s]);
		free(seeds[s]);
	}
	printf("%ld runs\n", runs);
	return 0;
}
#endif
