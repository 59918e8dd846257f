/* Fuzz target: the LDAP sync cache (lib/ldap_sync.c), the file in which
 * `bhxhctl db sync` keeps the entries it read and the server's cookie
 * (--follow: sync.cache) or the modifyTimestamp state (polling, the
 * timer's --once: poll.cache), loaded by bhxh_ldap_follow_new and
 * bhxh_ldap_poll_new from the state directory.  Its framing: magic, the
 * configuration's checksum, the cookie, the count of entries, each entry
 * (a 16-byte key, one serialized entry), a CRC-32 of all that.
 *
 * The first input byte: bit 0 polling (else following), bit 1 the entries
 * keep what the builder maps of them, bit 2 the rest is the whole file as
 * it is; otherwise the rest is what follows the magic and the checksum of
 * the current configuration (taken from a file the library writes), and
 * the CRC is appended, so that mutations reach the records instead of
 * dying at the checksum.  Whatever loads must save, and what was saved
 * must load whole (as many entries) and save again to the same bytes
 * (following: as many bytes, the same head; its entries are saved in the
 * order of its hash table). */
#include "config.h"

#include <errno.h>

#include "fuzz_common.h"

#include "conf.h"
#include "ldap_client.h"
#include "ldap_map.h"
#include "util.h"

#define HEAD 16 /* magic, configuration checksum */

static struct bhxh_conf conf;
static char dir[300];
static int dfd = -1;
static char fname[2][256];
static uint8_t head[2][HEAD];

static int follower(bool poll, bool keep_maps, struct bhxh_ldap_follow **f)
{
	return poll ? bhxh_ldap_poll_new(&conf.ldap, dfd, keep_maps, f)
		    : bhxh_ldap_follow_new(&conf.ldap, dfd, f);
}

/* The content of dir/name (malloc'd), its length in *len. */
static uint8_t *slurp(const char *name, size_t *len)
{
	char path[600];
	uint8_t *b = NULL;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	FUZZ_ASSERT(fp != NULL);
	FUZZ_ASSERT(fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0);
	rewind(fp);
	b = malloc((size_t)n + 1);
	FUZZ_ASSERT(b != NULL && fread(b, 1, (size_t)n, fp) == (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return b;
}

/* Once: the name and the head of the file each kind of follower writes
 * (an empty one saved into the empty directory). */
static void setup(void)
{
	bhxh_conf_init(&conf);
	snprintf(dir, sizeof(dir), "%s/state", fuzz_dir());
	FUZZ_ASSERT(mkdir(dir, 0700) == 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(dfd >= 0);
	for (int poll = 0; poll < 2; poll++) {
		struct bhxh_ldap_follow *f = NULL;
		struct dirent *de;
		uint8_t *b;
		size_t len;
		DIR *d;

		fuzz_empty_dir(dir);
		FUZZ_ASSERT(follower(poll, false, &f) == 0);
		FUZZ_ASSERT(bhxh_ldap_follow_save(f) == 0);
		bhxh_ldap_follow_free(f);
		d = opendir(dir);
		FUZZ_ASSERT(d != NULL);
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				snprintf(fname[poll], sizeof(fname[poll]), "%s", de->d_name);
		closedir(d);
		FUZZ_ASSERT(fname[poll][0] != '\0');
		b = slurp(fname[poll], &len);
		FUZZ_ASSERT(len >= HEAD);
		memcpy(head[poll], b, HEAD);
		free(b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bhxh_ldap_follow *f = NULL;
	struct bhxh_ldap_entry **ents;
	uint8_t *file, *a, *b;
	size_t flen, alen, blen, n, n2;
	bool poll, keep;
	uint32_t crc;

	if (dfd < 0)
		setup();
	if (size < 1)
		return 0;
	poll = data[0] & 1;
	keep = (data[0] & 2) != 0;
	fuzz_empty_dir(dir);
	if (data[0] & 4) {
		fuzz_write(dir, fname[poll], data + 1, size - 1);
	} else {
		flen = HEAD + size - 1 + 4;
		file = malloc(flen);
		FUZZ_ASSERT(file != NULL);
		memcpy(file, head[poll], HEAD);
		memcpy(file + HEAD, data + 1, size - 1);
		crc = bhxh_crc32(0, file, flen - 4);
		memcpy(file + flen - 4, &crc, 4);
		fuzz_write(dir, fname[poll], file, flen);
		free(file);
	}
	/* load (anything wrong: an empty follower), then save */
	FUZZ_ASSERT(follower(poll, keep, &f) == 0);
	n = bhxh_ldap_follow_entries(f, &ents);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(ents[i] != NULL && ents[i]->dn != NULL);
	FUZZ_ASSERT(bhxh_ldap_follow_save(f) == 0);
	bhxh_ldap_follow_free(f);
	a = slurp(fname[poll], &alen);
	/* what was saved loads whole, and saves again to the same bytes */
	FUZZ_ASSERT(follower(poll, keep, &f) == 0);
	n2 = bhxh_ldap_follow_entries(f, &ents);
	FUZZ_ASSERT(n2 == n);
	FUZZ_ASSERT(bhxh_ldap_follow_save(f) == 0);
	bhxh_ldap_follow_free(f);
	b = slurp(fname[poll], &blen);
	/* polling keeps the entries in the order read; following, in the
	 * order of its table (the same entries, maybe not in the same order) */
	FUZZ_ASSERT(alen == blen);
	FUZZ_ASSERT(memcmp(a, b, poll ? alen : HEAD) == 0);
	free(a);
	free(b);
	return 0;
}
