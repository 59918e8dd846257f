/* Unit tests of the core library: the number parser, user names, the
 * configuration grammar, the tally file and the lockout policy. */
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "conf.h"
#include "lockout.h"
#include "tally.h"
#include "util.h"

START_TEST(parse_uint_boundaries)
{
	static const struct {
		const char *s;
		uint64_t min, max;
		int r;
		uint64_t v;
	} t[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "11", 0, 10, -ERANGE, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "trout", 0, 10, -EINVAL, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ "+1", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, -EINVAL, 0 },
		{ "1 ", 0, 10, -EINVAL, 0 },
		{ "0x10", 0, 100, -EINVAL, 0 },
		{ "2147483647", 0, 2147483647, 0, 2147483647 },
		{ "2147483648", 0, 2147483647, -ERANGE, 0 },
		{ "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX },
		{ "18446744073709551616", 0, UINT64_MAX, -ERANGE, 0 },
		{ "99999999999999999999999", 0, UINT64_MAX, -ERANGE, 0 },
		{ "5", 6, 10, -ERANGE, 0 },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(t); i++) {
		uint64_t v = 777;
		int r = bhxh_parse_uint(t[i].s, t[i].min, t[i].max, &v);

		ck_assert_msg(r == t[i].r, "'%s': got %d want %d", t[i].s, r, t[i].r);
		ck_assert_msg(v == (r == 0 ? t[i].v : 777), "'%s': value %llu", t[i].s,
			      (unsigned long long)v);
	}
}
END_TEST

START_TEST(username_validation)
{
	char longname[BHXH_NAME_MAX + 2];

	ck_assert(bhxh_valid_username("nguyenvana"));
	ck_assert(bhxh_valid_username("a"));
	ck_assert(bhxh_valid_username("user.name-1_x"));
	ck_assert(bhxh_valid_username("DOMAIN@user"));
	ck_assert(!bhxh_valid_username(""));
	ck_assert(!bhxh_valid_username(NULL));
	ck_assert(!bhxh_valid_username("."));
	ck_assert(!bhxh_valid_username(".."));
	ck_assert(!bhxh_valid_username("../etc/passwd"));
	ck_assert(!bhxh_valid_username("a/b"));
	ck_assert(!bhxh_valid_username("-rf"));
	ck_assert(!bhxh_valid_username(".hidden"));
	ck_assert(!bhxh_valid_username("a b"));
	ck_assert(!bhxh_valid_username("a:b"));
	ck_assert(!bhxh_valid_username("a\nb"));
	ck_assert(!bhxh_valid_username("a\\b"));
	memset(longname, 'x', BHXH_NAME_MAX);
	longname[BHXH_NAME_MAX] = '\0';
	ck_assert(bhxh_valid_username(longname));
	longname[BHXH_NAME_MAX] = 'x';
	longname[BHXH_NAME_MAX + 1] = '\0';
	ck_assert(!bhxh_valid_username(longname));
}
END_TEST

START_TEST(crc32_known_value)
{
	ck_assert_uint_eq(bhxh_crc32(0, "123456789", 9), 0xcbf43926u);
	ck_assert_uint_eq(bhxh_crc32(0, "", 0), 0);
}
END_TEST

/* the bit-at-a-time definition, as a reference for the sliced one */
static uint32_t crc32_bitwise(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

START_TEST(crc32_sliced_matches_bitwise)
{
	unsigned char buf[9000];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	/* every alignment and tail, short and long, and a CRC continued
	 * across two calls */
	for (size_t off = 0; off < 9; off++)
		for (size_t n = 0; n < 200; n++)
			ck_assert_uint_eq(bhxh_crc32(0, buf + off, n), crc32_bitwise(0, buf + off, n));
	ck_assert_uint_eq(bhxh_crc32(0, buf + 3, 7800), crc32_bitwise(0, buf + 3, 7800));
	ck_assert_uint_eq(bhxh_crc32(bhxh_crc32(0, buf, 4001), buf + 4001, 4999),
			  crc32_bitwise(0, buf, 9000));
	/* zeros appended without reading them */
	{
		static unsigned char zeros[9000];
		size_t lens[] = { 0, 1, 2, 3, 7, 8, 120, 1000, 7680, 9000 };

		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			uint32_t c = bhxh_crc32(0, buf, 150);

			ck_assert_uint_eq(bhxh_crc32_zeros(c, lens[i]),
					  bhxh_crc32(c, zeros, lens[i]));
			ck_assert_uint_eq(bhxh_crc32_zeros(0, lens[i]),
					  bhxh_crc32(0, zeros, lens[i]));
		}
	}
}
END_TEST

static int apply(struct bhxh_conf *c, const char *tok, char *err)
{
	return bhxh_conf_apply(c, tok, BHXH_SCOPE_ARG, NULL, err, BHXH_ERR_MAX);
}

START_TEST(conf_arguments)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(&c);
	ck_assert_uint_eq(c.lockout.deny, 3);
	ck_assert_uint_eq(c.lockout.fail_interval, 900);
	ck_assert_uint_eq(c.lockout.unlock_time, 600);
	ck_assert_int_eq(apply(&c, "deny=5", err), 0);
	ck_assert_uint_eq(c.lockout.deny, 5);
	ck_assert_int_eq(apply(&c, "unlock_time=never", err), 0);
	ck_assert_uint_eq(c.lockout.unlock_time, BHXH_UNLOCK_NEVER);
	ck_assert_int_eq(apply(&c, "unlock_time=0", err), 0);
	ck_assert_uint_eq(c.lockout.unlock_time, 0);
	ck_assert_int_eq(apply(&c, "preauth", err), 0);
	ck_assert_int_eq(c.mode, BHXH_MODE_PREAUTH);
	ck_assert_int_eq(apply(&c, "even_deny_root", err), 0);
	ck_assert(c.lockout.even_deny_root);
	ck_assert_int_eq(apply(&c, "even_deny_root=no", err), 0);
	ck_assert(!c.lockout.even_deny_root);
	ck_assert_int_eq(apply(&c, "root_unlock_time=60", err), 0);
	ck_assert(c.lockout.even_deny_root);
	ck_assert_uint_eq(c.lockout.root_unlock_time, 60);
	ck_assert_int_eq(apply(&c, "dir=/tmp/x", err), 0);
	ck_assert_str_eq(c.lockout.dir, "/tmp/x");

	ck_assert_int_eq(apply(&c, "deny=x", err), -EINVAL);
	ck_assert_msg(strstr(err, "deny") != NULL, "%s", err);
	ck_assert_int_eq(apply(&c, "deny=65536", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "deny=-1", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "deny=4294967299", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "fail_interval=4294967296", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "deny", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "audit_standard=maybe", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "dir=relative", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "preauth=1", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "bogus", err), -EINVAL);
	ck_assert_msg(strstr(err, "bogus") != NULL, "%s", err);
	ck_assert_uint_eq(c.lockout.deny, 5); /* failed applies changed nothing */
	/* pam_faillock's ranges and meanings */
	ck_assert_int_eq(apply(&c, "deny=65535", err), 0);
	ck_assert_uint_eq(c.lockout.deny, 65535);
	ck_assert_int_eq(apply(&c, "deny=0", err), 0);
	ck_assert_int_eq(apply(&c, "fail_interval=0", err), 0);
	ck_assert_uint_eq(c.lockout.fail_interval, 0);
	ck_assert_int_eq(apply(&c, "root_unlock_time=never", err), 0);
	ck_assert_uint_eq(c.lockout.root_unlock_time, BHXH_UNLOCK_NEVER);
	ck_assert_int_eq(apply(&c, "audit", err), 0);
	ck_assert(c.lockout.audit);
	ck_assert_int_eq(apply(&c, "no_log_info", err), 0);
	ck_assert(c.lockout.no_log_info);
	ck_assert_int_eq(apply(&c, "silent=whatever", err), 0); /* faillock sets it */
	ck_assert(c.silent);
	ck_assert_int_eq(apply(&c, "warn_remaining=2", err), 0);
	ck_assert_uint_eq(c.lockout.warn_remaining, 2);
	ck_assert_int_eq(apply(&c, "warn_remaining=x", err), -EINVAL);
	ck_assert_int_eq(apply(&c, "debug=maybe", err), -EINVAL); /* not a faillock flag */
	ck_assert_int_eq(apply(&c, "conf=relative/bhxh.conf", err), 0);
	ck_assert_str_eq(c.conf_path, "relative/bhxh.conf");
}
END_TEST

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/bhxh-conf-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(conf_file)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX], arg[128];
	const char *argv[2];
	char *path;

	path = write_tmp("# comment\n\n  deny = 7  \nunlock_time=120 # trailing\nnodelay\n");
	snprintf(arg, sizeof(arg), "conf=%s", path);
	argv[0] = arg;
	argv[1] = "deny=4";
	ck_assert_int_eq(bhxh_conf_load(&c, 1, argv, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.lockout.deny, 7);
	ck_assert_uint_eq(c.lockout.unlock_time, 120);
	ck_assert(c.lockout.nodelay);
	/* arguments win over the file */
	ck_assert_int_eq(bhxh_conf_load(&c, 2, argv, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.lockout.deny, 4);
	unlink(path);

	path = write_tmp("deny=3\nfail_interval=abc\n");
	snprintf(arg, sizeof(arg), "conf=%s", path);
	ck_assert_int_eq(bhxh_conf_load(&c, 1, argv, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ":2: fail_interval") != NULL, "%s", err);
	unlink(path);

	path = write_tmp("preauth\n");
	snprintf(arg, sizeof(arg), "conf=%s", path);
	ck_assert_int_eq(bhxh_conf_load(&c, 1, argv, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ":1:") != NULL, "%s", err);
	unlink(path);

	path = write_tmp("deny=3\n");
	chmod(path, 0666);
	snprintf(arg, sizeof(arg), "conf=%s", path);
	ck_assert_int_eq(bhxh_conf_load(&c, 1, argv, err, sizeof(err)), -EPERM);
	unlink(path);

	/* an explicit conf= that does not exist is an error */
	argv[0] = "conf=/nonexistent/bhxh.conf";
	ck_assert_int_lt(bhxh_conf_load(&c, 1, argv, err, sizeof(err)), 0);
}
END_TEST


/* faillock.conf: pam_faillock's grammar and keys, with its meaning; the
 * precedence faillock.conf < bhxh.conf < module arguments. */
/* Option names match whatever their case, as libpwquality's do. */
static int load_text(struct bhxh_conf *c, const char *text, char *err)
{
	char *path = write_tmp(text);
	int r = bhxh_conf_load_file(c, path, false, err, BHXH_ERR_MAX);

	unlink(path);
	return r;
}

/* The file reader's edges: lines that cross its 4 kB reads, a last line
 * without a newline, a line at the length limit and one beyond it. */
START_TEST(conf_file_lines)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];
	char *text = malloc(3 * BHXH_CONF_LINE_MAX + 16384);
	size_t n = 0;
	unsigned lines = 0;

	ck_assert_ptr_nonnull(text);
	/* comments of every length up to the limit, so that options fall
	 * on every offset of the reader's buffer */
	for (size_t len = 1; n < 12000; len = (len + 97) % (BHXH_CONF_LINE_MAX - 1) + 1) {
		text[n++] = '#';
		memset(text + n, 'x', len - 1);
		n += len - 1;
		text[n++] = '\n';
		n += (size_t)sprintf(text + n, "deny = %u\n", 1 + lines++ % 9);
	}
	n += (size_t)sprintf(text + n, "unlock_time = 77"); /* no newline */
	text[n] = '\0';
	bhxh_conf_init(&c);
	ck_assert_msg(load_text(&c, text, err) == 0, "%s", err);
	ck_assert_uint_eq(c.lockout.deny, 1 + (lines - 1) % 9);
	ck_assert_uint_eq(c.lockout.unlock_time, 77);

	/* a comment of exactly the longest length is fine, one byte more
	 * is refused with its line number */
	n = 0;
	n += (size_t)sprintf(text + n, "deny = 5\n#");
	memset(text + n, 'y', BHXH_CONF_LINE_MAX - 2);
	n += BHXH_CONF_LINE_MAX - 2;
	n += (size_t)sprintf(text + n, "\ndeny = 6\n");
	text[n] = '\0';
	bhxh_conf_init(&c);
	ck_assert_int_eq(load_text(&c, text, err), 0);
	ck_assert_uint_eq(c.lockout.deny, 6);
	n = 0;
	n += (size_t)sprintf(text + n, "deny = 5\n#");
	memset(text + n, 'y', BHXH_CONF_LINE_MAX + 10);
	n += BHXH_CONF_LINE_MAX + 10;
	n += (size_t)sprintf(text + n, "\ndeny = 6\n");
	text[n] = '\0';
	bhxh_conf_init(&c);
	ck_assert_int_eq(load_text(&c, text, err),
			 -EINVAL);
	ck_assert_msg(strstr(err, ":2: line longer than") != NULL, "%s", err);
	free(text);
}
END_TEST

/* The cap on the number of lines is for our own file only: pam_faillock
 * reads a faillock.conf of any length, so the same text that is refused as
 * bhxh.conf is read to its end as faillock.conf. */
START_TEST(conf_line_count)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];
	size_t cap = (size_t)BHXH_CONF_LINES_MAX * 8 + 64, n = 0;
	char *text = malloc(cap), *path;

	ck_assert_ptr_nonnull(text);
	for (unsigned i = 0; i < BHXH_CONF_LINES_MAX / 2; i++)
		n += (size_t)sprintf(text + n, "# n\n\n");
	n += (size_t)sprintf(text + n, "deny = 4\n");
	path = write_tmp(text);
	bhxh_conf_init(&c);
	ck_assert_int_eq(bhxh_conf_load_file(&c, path, false, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ":10001: too many lines") != NULL, "%s", err);
	bhxh_conf_init(&c);
	ck_assert_msg(bhxh_conf_load_peer(&c, path, BHXH_SCOPE_FAILLOCK, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.lockout.deny, 4);
	unlink(path);
	free(text);
}
END_TEST

/* An editor's UTF-8 byte order mark at the start of a file is skipped
 * (pam_faillock would take it for part of an unknown option, and so would
 * we: every login refused for an invisible mark); anywhere else it is
 * still an error. */
START_TEST(conf_bom)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];
	const char *path;

	bhxh_conf_init(&c);
	ck_assert_msg(load_text(&c, "\xef\xbb\xbf# faillock.conf\ndeny = 4\n", err) == 0, "%s", err);
	ck_assert_uint_eq(c.lockout.deny, 4);
	bhxh_conf_init(&c);
	ck_assert_msg(load_text(&c, "\xef\xbb\xbf""deny = 5\n", err) == 0, "%s", err);
	ck_assert_uint_eq(c.lockout.deny, 5);
	path = write_tmp("\xef\xbb\xbf""deny 6\n");
	bhxh_conf_init(&c);
	ck_assert_msg(bhxh_conf_load_peer(&c, path, BHXH_SCOPE_FAILLOCK, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.lockout.deny, 6);
	unlink(path);
	bhxh_conf_init(&c);
	ck_assert_int_eq(load_text(&c, "deny = 4\n\xef\xbb\xbf""deny = 5\n", err), -EINVAL);
}
END_TEST

START_TEST(conf_names_any_case)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(&c);
	ck_assert_int_eq(bhxh_conf_apply(&c, "MINLEN=14", BHXH_SCOPE_ARG, NULL, err, sizeof(err)),
			 0);
	ck_assert_int_eq(c.pw.minlen, 14);
	ck_assert_int_eq(bhxh_conf_apply(&c, "Deny=5", BHXH_SCOPE_ARG, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.lockout.deny, 5);
	ck_assert_int_eq(bhxh_conf_apply(&c, "MINLENX=14", BHXH_SCOPE_ARG, NULL, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

START_TEST(conf_peer_faillock)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX], peer[64], path[128], arg[160];
	const char *argv[2];
	FILE *f;

	snprintf(peer, sizeof(peer), "/tmp/bhxh-peer-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(peer));
	snprintf(path, sizeof(path), "%s/faillock.conf", peer);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# pam_faillock's own file\n"
	      "dir = /var/run/faillock\n"
	      "audit\nsilent\nno_log_info\nlocal_users_only\nnodelay\n"
	      "deny 65535#comment\n"
	      "fail_interval=0\n"
	      "unlock_time = never\n"
	      "even_deny_root = no\n" /* faillock: a flag is set whatever follows */
	      "root_unlock_time=60\n"
	      "admin_group=wheel\n",
	      f);
	fclose(f);
	ck_assert_int_eq(bhxh_conf_load_in(&c, 0, NULL, peer, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.lockout.deny, 65535);
	ck_assert_uint_eq(c.lockout.fail_interval, 0);
	ck_assert_uint_eq(c.lockout.unlock_time, BHXH_UNLOCK_NEVER);
	ck_assert_uint_eq(c.lockout.root_unlock_time, 60);
	ck_assert(c.lockout.even_deny_root && c.lockout.audit && c.lockout.no_log_info);
	ck_assert(c.lockout.silent && c.lockout.local_users_only && c.lockout.nodelay);
	ck_assert(!c.silent); /* faillock.conf's silent quiets the lockout only */
	ck_assert_str_eq(c.lockout.admin_group, "wheel");
	/* pam_faillock's directory is not pam_bhxh's */
	ck_assert_str_eq(c.lockout.dir, BHXH_STATE_DIR "/tally");

	/* bhxh.conf wins over faillock.conf, arguments over both */
	snprintf(arg, sizeof(arg), "conf=%s", write_tmp("deny=7\nunlock_time=30\n"));
	argv[0] = arg;
	argv[1] = "deny=9";
	ck_assert_int_eq(bhxh_conf_load_in(&c, 1, argv, peer, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.lockout.deny, 7);
	ck_assert_uint_eq(c.lockout.unlock_time, 30);
	ck_assert_int_eq(bhxh_conf_load_in(&c, 2, argv, peer, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.lockout.deny, 9);
	unlink(arg + 5);

	/* what pam_faillock does not accept is an error, with file:line */
	f = fopen(path, "a");
	fputs("minlen=12\n", f);
	fclose(f);
	ck_assert_int_eq(bhxh_conf_load_in(&c, 0, NULL, peer, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "faillock.conf:14:") != NULL, "%s", err);
	f = fopen(path, "w");
	fputs("deny=65536\n", f);
	fclose(f);
	ck_assert_int_eq(bhxh_conf_load_in(&c, 0, NULL, peer, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "faillock.conf:1: deny") != NULL, "%s", err);
	f = fopen(path, "w");
	fputs("dir=relative\n", f);
	fclose(f);
	ck_assert_int_eq(bhxh_conf_load_in(&c, 0, NULL, peer, err, sizeof(err)), -EINVAL);
	unlink(path);
	/* absent: nothing changes */
	ck_assert_int_eq(bhxh_conf_load_in(&c, 0, NULL, peer, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.lockout.deny, 3);
	rmdir(peer);
}
END_TEST


/* Every option of every table is documented in bhxh.conf(5) (on a .B/.BI/.BR
 * line) and, when the file accepts it, present (commented) in the shipped
 * conf/bhxh.conf. */
static char *slurp(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", top ? top : "..", rel);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
	fclose(f);
	return buf;
}

static bool is_word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* Does a line starting with one of the prefixes hold name as a word? */
static bool line_has(const char *text, const char *const *prefixes, const char *name)
{
	size_t nl = strlen(name);

	for (const char *line = text, *end; line != NULL && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		bool ok = false;

		for (const char *const *p = prefixes; *p; p++)
			if (strncmp(line, *p, strlen(*p)) == 0)
				ok = true;
		if (!ok)
			continue;
		for (const char *h = line; (h = strstr(h, name)) != NULL && (!end || h < end); h++)
			if ((h == line || !is_word_char(h[-1])) && !is_word_char(h[nl]))
				return true;
	}
	return false;
}

START_TEST(every_option_is_documented)
{
	static const char *const man_prefixes[] = { ".B ", ".BI ", ".BR ", NULL };
	char *man = slurp("man/bhxh.conf.5");
	char *conf = slurp("conf/bhxh.conf");
	char missing[4096] = "";

	for (size_t t = 0; t < bhxh_all_tables_count; t++)
		for (const struct bhxh_opt *o = bhxh_all_tables[t]->opts; o->name[0] != '\0'; o++) {
			char key[80];
			bool in_conf;

			if (!line_has(man, man_prefixes, o->name)) {
				strncat(missing, " man:", sizeof(missing) - strlen(missing) - 1);
				strncat(missing, o->name, sizeof(missing) - strlen(missing) - 1);
			}
			if (!(o->scope & BHXH_SCOPE_FILE))
				continue;
			/* "#key", "# key = ...", "#key=..." at the start of a line */
			in_conf = false;
			for (const char *h = conf; (h = strstr(h, "\n#")) != NULL; h++) {
				const char *k = h + 2;

				while (*k == ' ')
					k++;
				if (strncmp(k, o->name, strlen(o->name)) == 0 &&
				    !is_word_char(k[strlen(o->name)]))
					in_conf = true;
			}
			/* or set (uncommented) in the shipped file */
			snprintf(key, sizeof(key), "\n%s ", o->name);
			if (strstr(conf, key) != NULL)
				in_conf = true;
			if (!in_conf) {
				strncat(missing, " conf:", sizeof(missing) - strlen(missing) - 1);
				strncat(missing, o->name, sizeof(missing) - strlen(missing) - 1);
			}
		}
	ck_assert_msg(missing[0] == '\0', "not documented:%s", missing);
	free(man);
	free(conf);
}
END_TEST

/* The tables hold names inline: each must be terminated, lower case (the
 * lookup compares the first letter lowered), and a custom option's index
 * must name a function of its table. */
START_TEST(option_tables_are_well_formed)
{
	for (size_t t = 0; t < bhxh_all_tables_count; t++) {
		const struct bhxh_opt_table *tab = bhxh_all_tables[t];

		for (const struct bhxh_opt *o = tab->opts; o->name[0] != '\0'; o++) {
			ck_assert_msg(strnlen(o->name, sizeof(o->name)) < sizeof(o->name),
				      "option name not terminated: %.*s", (int)sizeof(o->name),
				      o->name);
			for (const char *p = o->name; *p; p++)
				ck_assert_msg(!isupper((unsigned char)*p), "%s: upper case",
					      o->name);
			if (o->type == BHXH_OPT_CUSTOM)
				ck_assert_msg(o->fn >= 1 && o->fn <= tab->nfns &&
					      tab->fns[o->fn - 1] != NULL, "%s: no function",
					      o->name);
			else
				ck_assert_msg(o->fn == 0, "%s: function on a plain option",
					      o->name);
		}
		for (size_t i = 0; i < tab->nfns; i++)
			ck_assert(tab->fns[i] != NULL);
	}
}
END_TEST

static const struct bhxh_lock_policy pol = { .deny = 3, .fail_interval = 900, .unlock_time = 600 };

START_TEST(lockout_policy)
{
	struct bhxh_tally t;
	int64_t left = 0;

	bhxh_tally_clear(&t, "u");
	ck_assert(!bhxh_lockout_add_failure(&t, &pol, 1000, "sshd", "10.0.0.1"));
	ck_assert(!bhxh_lockout_add_failure(&t, &pol, 1001, "sshd", "10.0.0.1"));
	ck_assert_int_eq(bhxh_lockout_state(&t, 1001, &left), BHXH_UNLOCKED);
	ck_assert(bhxh_lockout_add_failure(&t, &pol, 1002, "sshd", "10.0.0.2"));
	ck_assert_int_eq(bhxh_lockout_state(&t, 1002, &left), BHXH_LOCKED);
	ck_assert_int_eq(left, 600);
	ck_assert_int_eq(bhxh_lockout_state(&t, 1601, &left), BHXH_LOCKED);
	ck_assert_int_eq(left, 1);
	/* pam_faillock: unlocked once latest failure + unlock_time < now */
	ck_assert_int_eq(bhxh_lockout_state(&t, 1602, &left), BHXH_LOCKED);
	ck_assert_int_eq(left, 0);
	ck_assert_int_eq(bhxh_lockout_state(&t, 1603, &left), BHXH_LOCK_EXPIRED);
	/* a failure while locked is not counted (pam_faillock) */
	ck_assert(!bhxh_lockout_add_failure(&t, &pol, 1003, "sshd", "x"));
	ck_assert_uint_eq(t.total, 3);
	ck_assert_uint_eq(bhxh_lockout_failures(&t, &pol, 1003), 3);
	ck_assert_uint_eq(bhxh_lockout_remaining(&t, &pol, 1003), 0);

	/* fail_interval=0: nothing counts, nothing locks */
	{
		struct bhxh_lock_policy p = pol;

		p.fail_interval = 0;
		p.deny = 1;
		bhxh_tally_clear(&t, "u");
		for (int i = 0; i < 5; i++)
			ck_assert(!bhxh_lockout_add_failure(&t, &p, 10 + i, "s", ""));
		ck_assert_uint_eq(bhxh_lockout_failures(&t, &p, 14), 0);
	}
	/* attempts left */
	bhxh_tally_clear(&t, "u");
	ck_assert_uint_eq(bhxh_lockout_remaining(&t, &pol, 10), 3);
	(void)bhxh_lockout_add_failure(&t, &pol, 10, "s", "");
	ck_assert_uint_eq(bhxh_lockout_remaining(&t, &pol, 10), 2);

	/* failures spread over more than fail_interval do not lock */
	bhxh_tally_clear(&t, "u");
	ck_assert(!bhxh_lockout_add_failure(&t, &pol, 0, "s", ""));
	ck_assert(!bhxh_lockout_add_failure(&t, &pol, 500, "s", ""));
	ck_assert(!bhxh_lockout_add_failure(&t, &pol, 900, "s", "")); /* first fell out */
	ck_assert_uint_eq(bhxh_lockout_failures(&t, &pol, 900), 2);
	ck_assert(bhxh_lockout_add_failure(&t, &pol, 901, "s", ""));

	/* unlock_time=0: until reset */
	{
		struct bhxh_lock_policy p = pol;

		p.unlock_time = 0;
		bhxh_tally_clear(&t, "u");
		for (int i = 0; i < 3; i++)
			(void)bhxh_lockout_add_failure(&t, &p, 10 + i, "s", "");
		ck_assert_int_eq(bhxh_lockout_state(&t, INT64_MAX - 1, &left), BHXH_LOCKED);
		ck_assert_int_eq(left, -1);
	}
	/* the table never overflows; deny above the records counts exactly
	 * while the window holds every failure */
	{
		struct bhxh_lock_policy p = pol;

		p.deny = 65535;
		bhxh_tally_clear(&t, "u");
		for (int i = 0; i < 1000; i++)
			(void)bhxh_lockout_add_failure(&t, &p, 5000 + i / 10, "s", "");
		ck_assert_uint_eq(t.nrec, BHXH_TALLY_RECORDS);
		ck_assert_uint_eq(t.total, 1000);
		ck_assert_uint_eq(bhxh_lockout_failures(&t, &p, 5099), 1000);
		ck_assert_uint_eq(bhxh_lockout_remaining(&t, &p, 5099), 65535 - 1000);
		/* the older ones leave with the newest of them */
		ck_assert_uint_eq(bhxh_lockout_failures(&t, &p, 5092 + 900), 1000);
		ck_assert_uint_eq(bhxh_lockout_failures(&t, &p, 5093 + 900), 64 - 4);

		p.deny = 100;
		bhxh_tally_clear(&t, "u");
		for (int i = 0; i < 99; i++)
			ck_assert(!bhxh_lockout_add_failure(&t, &p, 7000 + i, "s", ""));
		ck_assert(bhxh_lockout_add_failure(&t, &p, 7099, "s", ""));
		ck_assert_uint_eq(t.older, 100 - BHXH_TALLY_RECORDS);
		ck_assert_uint_eq(bhxh_lockout_failures(&t, &p, 7099), 100);
	}
	ck_assert_uint_eq(bhxh_lockout_minutes(1), 1);
	ck_assert_uint_eq(bhxh_lockout_minutes(60), 1);
	ck_assert_uint_eq(bhxh_lockout_minutes(61), 2);
	ck_assert_uint_eq(bhxh_lockout_minutes(600), 10);
}
END_TEST

static char tdir[64];

static void tally_setup(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/bhxh-tally-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
}

static void tally_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(tally_roundtrip_and_corruption)
{
	struct bhxh_tally t, u;
	int dirfd, fd;
	char path[128];

	dirfd = bhxh_tally_open_dir(tdir, false);
	ck_assert_int_ge(dirfd, 0);
	ck_assert_int_eq(bhxh_tally_open(dirfd, "alice", false), -ENOENT);
	fd = bhxh_tally_open(dirfd, "alice", true);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bhxh_tally_read(fd, "alice", &t), 0);
	ck_assert_uint_eq(t.nrec, 0);
	for (int i = 0; i < 5; i++) {
		struct bhxh_lock_policy p = pol;

		p.deny = 5;
		(void)bhxh_lockout_add_failure(&t, &p, 100 + i, "login", "tty1");
		ck_assert_int_eq(bhxh_tally_write(fd, &t, true), 0);
	}
	close(fd);
	fd = bhxh_tally_open(dirfd, "alice", false);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bhxh_tally_read(fd, "alice", &u), 0);
	ck_assert_uint_eq(u.nrec, 5);
	ck_assert_uint_eq(u.total, 5);
	ck_assert_str_eq(u.rec[4].service, "login");
	ck_assert_int_eq(u.lock_until, 104 + 600);
	/* the older failures (beyond the records) are stored too */
	{
		struct bhxh_lock_policy p = pol;
		int wfd = bhxh_tally_open(dirfd, "carol", true);

		p.deny = 1000;
		ck_assert_int_ge(wfd, 0);
		ck_assert_int_eq(bhxh_tally_read(wfd, "carol", &t), 0);
		for (int i = 0; i < 70; i++)
			(void)bhxh_lockout_add_failure(&t, &p, 200 + i, "login", "tty1");
		ck_assert_int_eq(bhxh_tally_write(wfd, &t, false), 0);
		ck_assert_int_eq(bhxh_tally_write(wfd, &t, false), 0);
		ck_assert_int_eq(bhxh_tally_read(wfd, "carol", &u), 0);
		ck_assert_uint_eq(u.older, 6);
		ck_assert_int_eq(u.older_newest, 205);
		ck_assert_uint_eq(bhxh_lockout_failures(&u, &p, 269), 70);
		close(wfd);
	}
	/* a different name stored in the file (shared slot) reads as empty */
	ck_assert_int_eq(bhxh_tally_read(fd, "bob", &u), 0);
	ck_assert_uint_eq(u.nrec, 0);
	close(fd);

	/* damage the newest slot: the older one is used */
	snprintf(path, sizeof(path), "%s/alice", tdir);
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	{
		struct stat st;
		off_t slot;

		ck_assert_int_eq(fstat(fd, &st), 0);
		slot = st.st_size / 2;
		/* seq 5 lives in slot 1 */
		ck_assert_int_eq(pwrite(fd, "XXXX", 4, slot + 100), 4);
	}
	close(fd);
	fd = bhxh_tally_open(dirfd, "alice", false);
	ck_assert_int_eq(bhxh_tally_read(fd, "alice", &u), 0);
	ck_assert_uint_eq(u.nrec, 4);
	close(fd);
	/* both damaged: corrupt */
	fd = open(path, O_RDWR);
	ck_assert_int_eq(pwrite(fd, "XXXX", 4, 100), 4);
	close(fd);
	fd = bhxh_tally_open(dirfd, "alice", false);
	ck_assert_int_eq(bhxh_tally_read(fd, "alice", &u), -EBADMSG);
	close(fd);

	/* wrong mode and symlinks are refused */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(bhxh_tally_open(dirfd, "alice", false), -EPERM);
	snprintf(path, sizeof(path), "%s/link", tdir);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	ck_assert_int_eq(bhxh_tally_open(dirfd, "link", false), -ELOOP);
	close(dirfd);

	/* a missing state directory and its parent are created root-only */
	{
		char nested[128];
		struct stat st;
		int d;

		snprintf(nested, sizeof(nested), "%s/lib-bhxh/tally", tdir);
		ck_assert_int_eq(bhxh_tally_open_dir(nested, false), -ENOENT);
		d = bhxh_tally_open_dir(nested, true);
		ck_assert_int_ge(d, 0);
		close(d);
		ck_assert_int_eq(stat(nested, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0700);
		snprintf(nested, sizeof(nested), "%s/lib-bhxh", tdir);
		ck_assert_int_eq(stat(nested, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0700);
	}
	/* a group-writable directory is refused */
	ck_assert_int_eq(chmod(tdir, 0770), 0);
	ck_assert_int_eq(bhxh_tally_open_dir(tdir, false), -EPERM);
	ck_assert_int_eq(chmod(tdir, 0700), 0);
}
END_TEST

/* A byte changed in the unused records at the end of a slot (which the
 * reader checks without reading them into the CRC when they are zero) is
 * damage like any other. */
START_TEST(tally_unused_tail_damage)
{
	struct bhxh_tally t, u;
	int dirfd, fd;
	char path[128];
	struct stat st;
	off_t slot_size;

	dirfd = bhxh_tally_open_dir(tdir, false);
	ck_assert_int_ge(dirfd, 0);
	fd = bhxh_tally_open(dirfd, "carol", true);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bhxh_tally_read(fd, "carol", &t), 0);
	for (int i = 0; i < 2; i++) {
		t.rec[t.nrec].time = 100 + i;
		t.nrec++;
		ck_assert_int_eq(bhxh_tally_write(fd, &t, false), 0);
	}
	close(fd);
	/* seq 2 is in slot 0; its last byte is unused record space */
	snprintf(path, sizeof(path), "%s/carol", tdir);
	ck_assert_int_eq(stat(path, &st), 0);
	slot_size = (st.st_size - 2 * 40) / 2;
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "\x01", 1, slot_size - 1), 1);
	close(fd);
	fd = bhxh_tally_open(dirfd, "carol", false);
	ck_assert_int_eq(bhxh_tally_read(fd, "carol", &u), 0);
	ck_assert_uint_eq(u.nrec, 1); /* the older slot */
	close(fd);
	close(dirfd);
}
END_TEST

START_TEST(tally_unknown_slots)
{
	char a[80], b[80];

	bhxh_tally_file_name("alice", true, a, sizeof(a));
	ck_assert_str_eq(a, "alice");
	bhxh_tally_file_name("alice", false, a, sizeof(a));
	ck_assert_int_eq(strncmp(a, ".unknown-", 9), 0);
	bhxh_tally_file_name("../../etc/shadow", true, b, sizeof(b));
	ck_assert_int_eq(strncmp(b, ".unknown-", 9), 0);
	ck_assert_ptr_null(strchr(b, '/'));
}
END_TEST

START_TEST(audit_encoding)
{
	char buf[BHXH_AUDIT_MSG_MAX];
	struct bhxh_audit_msg m = { .op = "PAM:test", .acct = "alice", .id = 1000,
				    .reason = "wrong_password", .service = "sshd" };

	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:test acct=\"alice\" id=1000 reason=wrong_password "
			      "grantors=bhxh service=\"sshd\"");
	m.acct = "a b";
	m.id = -1;
	m.reason = NULL;
	m.service = NULL;
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:test acct=612062");
	m.acct = "\"q\"";
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:test acct=227122");
	m.acct = "Nguyễn";
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:test acct=4E677579E1BB856E");
}
END_TEST

/* A lock held by another process: waited for, then given up (no hang). */
START_TEST(flock_gives_up)
{
	char path[] = "/tmp/bhxh-flock-XXXXXX";
	int fd = mkstemp(path), fd2, p[2];
	pid_t pid;
	char c;
	struct timespec a, b;
	long ms;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid < 0) /* no ck_assert in the child: it would write to Check's channel */
		ck_abort_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		int h = open(path, O_RDWR);

		if (h < 0 || flock(h, LOCK_EX) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	fd2 = open(path, O_RDWR);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(bhxh_flock_timeout(fd2, LOCK_SH, 300), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	ck_assert_msg(ms >= 300 && ms < 2000, "waited %ld ms", ms);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* the holder is gone: the lock is granted at once */
	ck_assert_int_eq(bhxh_flock_timeout(fd2, LOCK_EX, 300), 0);
	close(fd2);
	close(fd);
	unlink(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("pure");
	TCase *tt = tcase_create("tally");

	tcase_add_test(tc, parse_uint_boundaries);
	tcase_add_test(tc, username_validation);
	tcase_add_test(tc, crc32_known_value);
	tcase_add_test(tc, crc32_sliced_matches_bitwise);
	tcase_add_test(tc, conf_arguments);
	tcase_add_test(tc, conf_file);
	tcase_add_test(tc, conf_file_lines);
	tcase_add_test(tc, conf_line_count);
	tcase_add_test(tc, conf_bom);
	tcase_add_test(tc, conf_peer_faillock);
	tcase_add_test(tc, conf_names_any_case);
	tcase_add_test(tc, every_option_is_documented);
	tcase_add_test(tc, option_tables_are_well_formed);
	tcase_add_test(tc, lockout_policy);
	tcase_add_test(tc, tally_unknown_slots);
	tcase_add_test(tc, audit_encoding);
	tcase_add_test(tc, flock_gives_up);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tt, tally_setup, tally_teardown);
	tcase_add_test(tt, tally_roundtrip_and_corruption);
	tcase_add_test(tt, tally_unused_tail_damage);
	suite_add_tcase(s, tt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
