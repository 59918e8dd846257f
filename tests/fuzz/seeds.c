/* Seeds in the current binary formats, written by the library itself:
 *
 *   seeds OUTDIR     writes OUTDIR/fuzz_tally/, fuzz_denylist/, fuzz_dirdb/,
 *                    fuzz_synccache/
 *
 * tests/fuzz/run.sh runs it before fuzzing, so that the seeds of the
 * tally, denylist filter, database images and LDAP sync cache always match
 * the formats of the tree being fuzzed (the committed corpora hold text
 * inputs only, and the sync cache's records as they were written).
 * Built by tests/fuzz/build.sh; public calls only. */
#include "config.h"

#include <errno.h>

#include "fuzz_common.h"

#include "denylist.h"
#include "dirdb.h"
#include "dirdb_build.h"
#include "ldap_map.h"
#include "tally.h"

static const char *outdir;

/* OUTDIR/harness/name = prefix byte + data */
static void seed(const char *harness, const char *name, uint8_t prefix, const void *data,
		 size_t len)
{
	char dir[4096];
	uint8_t *b = malloc(len + 1);

	FUZZ_ASSERT(b != NULL);
	b[0] = prefix;
	memcpy(b + 1, data, len);
	snprintf(dir, sizeof(dir), "%s/%s", outdir, harness);
	FUZZ_ASSERT(mkdir(dir, 0700) == 0 || errno == EEXIST);
	fuzz_write(dir, name, b, len + 1);
	free(b);
}

/* The content of a scratch file. */
static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	FUZZ_ASSERT(f != NULL && b != NULL);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static void tally(void)
{
	struct bhxh_tally t;
	char path[4096];
	size_t len;
	void *b;
	int dfd = bhxh_tally_open_dir(fuzz_dir(), false), fd;

	FUZZ_ASSERT(dfd >= 0);
	fd = bhxh_tally_open(dfd, "alice", true);
	FUZZ_ASSERT(fd >= 0);
	bhxh_tally_clear(&t, "alice");
	t.total = 3;
	t.nrec = 3;
	t.lock_since = 1764000002;
	t.lock_until = 1764000602;
	for (int i = 0; i < 3; i++) {
		t.rec[i].time = 1764000000 + i;
		snprintf(t.rec[i].service, sizeof(t.rec[i].service), "sshd");
		snprintf(t.rec[i].source, sizeof(t.rec[i].source), "10.0.0.%d", 9 - i);
	}
	seed("fuzz_tally", "struct", 0x01, &t, sizeof(t));
	FUZZ_ASSERT(bhxh_tally_write(fd, &t, false) == 0);
	snprintf(path, sizeof(path), "%s/alice", fuzz_dir());
	b = slurp(path, &len);
	seed("fuzz_tally", "one-slot", 0x00, b, len);
	free(b);
	FUZZ_ASSERT(bhxh_tally_write(fd, &t, false) == 0);
	b = slurp(path, &len);
	seed("fuzz_tally", "two-slots", 0x00, b, len);
	free(b);
	close(fd);
	close(dfd);
}

static void denylist(void)
{
	static const char *const words[] = { "123456", "password", "baohiem", "matkhau",
					     "Bhxh@2024", "qwerty", "đườnghầm" };
	char path[4096];
	size_t len;
	void *b;

	snprintf(path, sizeof(path), "%s/filter", fuzz_dir());
	FUZZ_ASSERT(bhxh_denylist_build_mem(words, BHXH_ARRAY_SIZE(words), path,
					    BHXH_DL_BITS_DEFAULT, NULL) == 0);
	b = slurp(path, &len);
	seed("fuzz_denylist", "filter", 0x00, b, len);
	free(b);
}

static void dirdb(void)
{
	static const char *const src[] = {
		("alice:x:200001:200001:Alice:/home/alice:/bin/bash\n"
		 "bob:x:200002:200001:Bob:/home/bob:/bin/sh\n"),
		"staff:x:200001:alice,bob\ndevs:x:200002:bob\n",
		"alice:$6$s$h:19000:0:99999:7:::\n",
		"bob\n",
	};
	struct bhxh_dirsrc s;
	char err[256];
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0;

	bhxh_dirsrc_init(&s);
	for (int k = 0; k < 4; k++) {
		size_t n = strlen(src[k]);

		s.buf[k] = malloc(n + 1);
		FUZZ_ASSERT(s.buf[k] != NULL);
		memcpy(s.buf[k], src[k], n + 1);
		FUZZ_ASSERT(bhxh_dirsrc_parse(&s, (enum bhxh_srckind)k, "seed", s.buf[k], n, err,
					      sizeof(err)) == 0);
	}
	FUZZ_ASSERT(bhxh_dirsrc_validate(&s, NULL, NULL, err, sizeof(err)) == 0);
	FUZZ_ASSERT(bhxh_dirdb_serialize(&s, 1, &pw, &pwlen, &sp, &splen) == 0);
	seed("fuzz_dirdb", "passwd.db", 0x00, pw, pwlen);
	seed("fuzz_dirdb", "shadow.db", 0x02, sp, splen);
	free(pw);
	free(sp);
	bhxh_dirsrc_free(&s);
}

/* The LDAP sync cache after its head (fuzz_synccache.c): cookie, count,
 * records of a 16-byte key (its first byte the kind when polling) and a
 * serialized entry. */
static void synccache(void)
{
	static const char *const ents[2][8] = {
		{ "uid=alice,ou=people,dc=bhxh,dc=test", "objectClass", "posixAccount", "uid",
		  "alice", "uidNumber", "200001", NULL },
		{ "cn=staff,ou=groups,dc=bhxh,dc=test", "objectClass", "posixGroup", "cn", "staff",
		  "memberUid", "alice", NULL },
	};
	static const char *const more[] = { "gidNumber", "200001", "homeDirectory", "/home/alice",
					    "loginShell", "/bin/sh", "modifyTimestamp",
					    "20261129000000Z" };
	/* following: the server's cookie; polling: newest modifyTimestamp,
	 * then when everything and when anything was last read */
	static const char sync_cookie[] = "rid=000,csn=20261129000000.000000Z#000000#000#000000";
	uint8_t poll_cookie[31] = "20261129000000Z";
	uint8_t *b = malloc(1 << 16);
	size_t len;

	FUZZ_ASSERT(b != NULL);
	for (int kind = 0; kind < 4; kind++) {
		bool poll = kind & 1;
		uint32_t n32 = poll ? (uint32_t)sizeof(poll_cookie) : (uint32_t)strlen(sync_cookie);
		uint64_t n64 = 2;
		char name[32];

		len = 0;
		memcpy(b + len, &n32, 4);
		len += 4;
		memcpy(b + len, poll ? (const void *)poll_cookie : sync_cookie, n32);
		len += n32;
		memcpy(b + len, &n64, 8);
		len += 8;
		for (int e = 0; e < 2; e++) {
			struct bhxh_ldap_ebuf eb;

			memset(&eb, 0, sizeof(eb));
			for (int k = 0; k < 16; k++)
				b[len + k] = (uint8_t)(0x11 * (e + 1) + k);
			if (poll)
				b[len] = e == 0 ? BHXH_LDAP_USER : BHXH_LDAP_GROUP;
			len += 16;
			bhxh_ldap_eb_begin(&eb, ents[e][0]);
			for (int a = 1; ents[e][a] != NULL; a += 2) {
				bhxh_ldap_eb_attr(&eb, ents[e][a]);
				bhxh_ldap_eb_val(&eb, ents[e][a + 1], strlen(ents[e][a + 1]));
			}
			for (size_t a = 0; e == 0 && a < BHXH_ARRAY_SIZE(more); a += 2) {
				bhxh_ldap_eb_attr(&eb, more[a]);
				bhxh_ldap_eb_val(&eb, more[a + 1], strlen(more[a + 1]));
			}
			FUZZ_ASSERT(bhxh_ldap_eb_end(&eb) == 0);
			memcpy(b + len, eb.p + eb.start, eb.len - eb.start);
			len += eb.len - eb.start;
			bhxh_ldap_eb_free(&eb);
		}
		snprintf(name, sizeof(name), "%s%s", poll ? "poll" : "sync",
			 kind & 2 ? "-mapped" : "");
		seed("fuzz_synccache", name, (uint8_t)kind, b, len);
	}
	free(b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0700) < 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	tally();
	denylist();
	dirdb();
	synccache();
	return 0;
}

/* fuzz_common.h declares it; this program has no fuzz target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
