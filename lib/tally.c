#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tally.h"

#define TALLY_MAGIC "BHXHTLY"

/* On-disk slot: header then the records, fixed size. */
struct disk_hdr {
	char magic[8];
	uint32_t version;
	uint32_t nrec;
	uint64_t seq;
	uint64_t total;
	int64_t lock_since;
	int64_t lock_until;
	char user[BHXH_NAME_MAX + 1];
	char pad[3];
	uint32_t crc; /* over the whole slot with crc = 0 */
};

struct disk_slot {
	struct disk_hdr h;
	struct bhxh_tally_rec rec[BHXH_TALLY_RECORDS];
};

_Static_assert(sizeof(struct disk_hdr) % 8 == 0, "header padding");

#define SLOT_SIZE ((off_t)sizeof(struct disk_slot))

/* After the two slots, one extension per slot (files written before it
 * existed have none: that reads as no older failures).  It carries the
 * failures that no longer fit in the records (lockout.h).  It is written
 * before its slot and counts only with the same sequence number as the
 * slot, so a writer killed between the two writes leaves the previous
 * slot and its extension in force. */
#define EXT_MAGIC "BHXHTLX"
struct disk_ext {
	char magic[8];
	uint64_t seq;
	uint64_t older;
	int64_t older_newest;
	uint32_t crc; /* over the extension with crc = 0 */
	uint32_t pad;
};

#define EXT_OFF(i) (2 * SLOT_SIZE + (off_t)(i) * (off_t)sizeof(struct disk_ext))

/* The whole file, read at once */
struct disk_file {
	struct disk_slot s[2];
	struct disk_ext x[2];
};

_Static_assert(offsetof(struct disk_file, x) == EXT_OFF(0), "extensions follow the slots");

int bhxh_tally_open_dir(const char *path, bool create)
{
	return bhxh_open_state_dir(path, create);
}

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void bhxh_tally_file_name(const char *user, bool known, char *buf, size_t len)
{
	if (known && bhxh_valid_username(user))
		snprintf(buf, len, "%s", user);
	else
		snprintf(buf, len, ".unknown-%02x",
			 (unsigned)(hash_name(user ? user : "") % BHXH_TALLY_UNKNOWN_SLOTS));
}

int bhxh_tally_open(int dirfd, const char *fname, bool write)
{
	return bhxh_open_state_file(dirfd, fname, write ? O_RDWR | O_CREAT : O_RDONLY, 0600, 077,
				    write ? LOCK_EX : LOCK_SH, NULL);
}

/* The CRC of the whole slot (its crc field taken as 0): of the header and
 * the records in use, then -- when the unused records are all zero, as
 * every writer leaves them -- of those zeros by arithmetic instead of by
 * reading 7 kB (bhxh_crc32_zeros).  The same value as the CRC of the whole
 * slot in every case. */
static uint32_t slot_crc(struct disk_slot *s)
{
	uint32_t saved = s->h.crc, crc;
	size_t nrec = s->h.nrec <= BHXH_TALLY_RECORDS ? s->h.nrec : BHXH_TALLY_RECORDS;
	const unsigned char *tail = (const unsigned char *)&s->rec[nrec];
	size_t used = (size_t)(tail - (const unsigned char *)s), rest = sizeof(*s) - used;

	s->h.crc = 0;
	crc = bhxh_crc32(0, s, used);
	if (rest == 0 || (tail[0] == 0 && memcmp(tail, tail + 1, rest - 1) == 0))
		crc = bhxh_crc32_zeros(crc, rest);
	else
		crc = bhxh_crc32(crc, tail, rest);
	s->h.crc = saved;
	return crc;
}

/* The header looks right (the CRC, the costly part, is checked apart). */
static bool slot_plausible(const struct disk_slot *s)
{
	return memcmp(s->h.magic, TALLY_MAGIC, sizeof(TALLY_MAGIC)) == 0 &&
	       s->h.version == BHXH_TALLY_VERSION && s->h.nrec <= BHXH_TALLY_RECORDS &&
	       memchr(s->h.user, '\0', sizeof(s->h.user)) != NULL;
}

static uint32_t ext_crc(struct disk_ext *x)
{
	uint32_t saved = x->crc, crc;

	x->crc = 0;
	crc = bhxh_crc32(0, x, sizeof(*x));
	x->crc = saved;
	return crc;
}

void bhxh_tally_clear(struct bhxh_tally *t, const char *user)
{
	uint64_t seq = t->seq;

	memset(t, 0, sizeof(*t));
	t->seq = seq;
	(void)bhxh_strlcpy(t->user, user ? user : "", sizeof(t->user));
}

static ssize_t read_full(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int bhxh_tally_read(int fd, const char *user, struct bhxh_tally *ret)
{
	static const struct disk_slot zero;
	struct disk_file f;
	struct disk_slot *s = f.s;
	struct disk_slot *cur = NULL;
	const struct disk_ext *x;
	int first = 0;
	ssize_t n;

	n = read_full(fd, &f, sizeof(f), 0);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		memset(ret, 0, sizeof(*ret));
		(void)bhxh_strlcpy(ret->user, user ? user : "", sizeof(ret->user));
		return 0;
	}
	/* a short second slot reads as zero and is invalid; a missing
	 * extension as none */
	if ((size_t)n < sizeof(f))
		memset((char *)&f + n, 0, sizeof(f) - (size_t)n);
	/* the newest valid slot: the newer one's CRC is checked first, the
	 * other's only when the newer one is damaged (one CRC per read) */
	if (slot_plausible(&s[1]) && (!slot_plausible(&s[0]) || s[1].h.seq > s[0].h.seq))
		first = 1;
	for (int k = 0; k < 2 && cur == NULL; k++) {
		struct disk_slot *c = &s[first ^ k];

		if (slot_plausible(c) && c->h.crc == slot_crc(c))
			cur = c;
	}
	if (cur == NULL) {
		/* The first write (sequence 1) goes to slot 1; slot 0 is
		 * written only once slot 1 is valid.  So an invalid slot 1 next
		 * to a never-written slot 0 (all zeroes) is a first write that
		 * did not complete: nothing was acknowledged, the tally is
		 * empty.  Anything else cannot come from a crash: damage. */
		if (memcmp(&s[0], &zero, sizeof(zero)) != 0)
			return -EBADMSG;
		memset(ret, 0, sizeof(*ret));
		(void)bhxh_strlcpy(ret->user, user ? user : "", sizeof(ret->user));
		return 0;
	}
	memset(ret, 0, sizeof(*ret));
	ret->seq = cur->h.seq;
	(void)bhxh_strlcpy(ret->user, user != NULL ? user : cur->h.user, sizeof(ret->user));
	if (user != NULL && strcmp(cur->h.user, user) != 0)
		return 0; /* a shared slot last used by another name */
	ret->total = cur->h.total;
	ret->lock_since = cur->h.lock_since;
	ret->lock_until = cur->h.lock_until;
	ret->nrec = cur->h.nrec;
	memcpy(ret->rec, cur->rec, sizeof(ret->rec[0]) * cur->h.nrec);
	for (uint32_t i = 0; i < ret->nrec; i++) {
		ret->rec[i].service[sizeof(ret->rec[i].service) - 1] = '\0';
		ret->rec[i].source[sizeof(ret->rec[i].source) - 1] = '\0';
	}
	x = &f.x[cur - s];
	if (memcmp(x->magic, EXT_MAGIC, sizeof(EXT_MAGIC)) == 0 && x->seq == cur->h.seq &&
	    x->crc == ext_crc(&f.x[cur - s])) {
		ret->older = x->older;
		ret->older_newest = x->older_newest;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

int bhxh_tally_write(int fd, struct bhxh_tally *t, bool sync)
{
	struct disk_slot s;
	struct disk_ext x;
	uint64_t seq = t->seq + 1;
	off_t off = (off_t)(seq % 2) * SLOT_SIZE;
	int r;

	memset(&s, 0, sizeof(s));
	memcpy(s.h.magic, TALLY_MAGIC, sizeof(TALLY_MAGIC));
	s.h.version = BHXH_TALLY_VERSION;
	s.h.nrec = t->nrec > BHXH_TALLY_RECORDS ? BHXH_TALLY_RECORDS : t->nrec;
	s.h.seq = seq;
	s.h.total = t->total;
	s.h.lock_since = t->lock_since;
	s.h.lock_until = t->lock_until;
	(void)bhxh_strlcpy(s.h.user, t->user, sizeof(s.h.user));
	memcpy(s.rec, t->rec, sizeof(s.rec[0]) * s.h.nrec);
	s.h.crc = slot_crc(&s);
	memset(&x, 0, sizeof(x));
	memcpy(x.magic, EXT_MAGIC, sizeof(EXT_MAGIC));
	x.seq = seq;
	x.older = t->older;
	x.older_newest = t->older_newest;
	x.crc = ext_crc(&x);

	r = write_full(fd, &x, sizeof(x), EXT_OFF(seq % 2));
	if (r == 0)
		r = write_full(fd, &s, sizeof(s), off);
	if (r < 0)
		return r;
	if (sync && fdatasync(fd) < 0)
		return -errno;
	t->seq = seq;
	return 0;
}
