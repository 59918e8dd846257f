/* Unit tests of the pw area: the checker (weak and strong passwords, the
 * libpwquality pitfalls), character counting, options and profiles, the
 * denylist filter (format, corruption, false-positive rate) and the history
 * (reuse, trimming, opasswd import, pruning, concurrent writers). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <crypt.h>
#include <pwquality.h>

#include "conf.h"
#include "denylist.h"
#include "history.h"
#include "pwcheck.h"
#include "util.h"

static char scratch[64];

static void setup(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/bhxh-pwtest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

/* A configuration from module-argument-style tokens. */
static void conf_from(struct bhxh_conf *c, const char *const *args)
{
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(c);
	for (; *args != NULL; args++)
		ck_assert_msg(bhxh_conf_apply(c, *args, BHXH_SCOPE_ARG, NULL, err, sizeof(err)) == 0,
			      "%s: %s", *args, err);
}

static struct bhxh_pw_policy *policy(const char *const *args)
{
	struct bhxh_conf c;
	struct bhxh_pw_policy *p = NULL;
	char err[BHXH_ERR_MAX] = "";

	conf_from(&c, args);
	ck_assert_msg(bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)) == 0, "policy: %s", err);
	return p;
}

static const char *const base_args[] = {
	"pwquality_conf=none", "denylist=none",
	"badwords=bhxh bhyt vssid baohiem hanoi", NULL,
};

/* An editor's UTF-8 byte order mark at the start of pwquality.conf is not
 * part of its first key. */
START_TEST(pwquality_conf_bom)
{
	char path[] = "/tmp/bhxh-pwq-XXXXXX", arg[64], err[BHXH_ERR_MAX] = "";
	const char *argv[2] = { arg, NULL };
	static const char text[] = "\xef\xbb\xbfminlen = 9\n";
	struct bhxh_conf c;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (int)sizeof(text) - 1);
	close(fd);
	snprintf(arg, sizeof(arg), "pwquality_conf=%s", path);
	bhxh_conf_init(&c);
	ck_assert_msg(bhxh_conf_load_pw(&c, 1, argv, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(c.pw.minlen, 9);
	unlink(path);
}
END_TEST

START_TEST(weak_and_strong)
{
	static const struct {
		const char *pw;
		const char *code; /* NULL: any refusal */
	} t[] = {
		/* the five, accepted by pam_pwquality minlen=12 */
		{ "P@ssw0rd1234", NULL },
		{ "Bhxh@2026Hanoi", "agency_word" },
		{ "Anhyeuem@2026", "vietnamese_phrase" },
		{ "Matkhau@12345", "vietnamese_phrase" },
		{ "qwertyuiop123", "keyboard_walk" },
		/* more of the same */
		{ "1qaz2wsx3edc", "keyboard_walk" },
		{ "toi yeu em rat nhieu", "vietnamese_phrase" },
		{ "T0iY3uEm!2025", "vietnamese_phrase" },
		{ "nguyenvanminh1990", "vietnamese_phrase" },
		{ "123456789012", NULL },
		{ "aaaaaaaaaaaaaaa", NULL },
		{ "Vssid@2026!!", "agency_word" },
		{ "short1!", "too_short" },
		{ "đường1!", "too_short" },
		{ "", "empty" },
		/* long memorable passphrases */
		{ "con mèo đen ngủ trên mái nhà cũ", "ok" },
		{ "Cây đa giếng nước sân đình", "ok" },
		{ "correct horse battery staple", "ok" },
		{ "ca phe sua da buoi sang som", "ok" },
		{ "xK9#mQ2$vL7pW", "ok" },
	};
	struct bhxh_pw_policy *p = policy(base_args);

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(t); i++) {
		struct bhxh_pw_verdict v;

		ck_assert_int_eq(bhxh_pw_check(p, t[i].pw, NULL, "nvminh", NULL, &v), 0);
		if (t[i].code == NULL)
			ck_assert_msg(v.reason != BHXH_PW_OK, "'%s' accepted (%u bits)", t[i].pw,
				      v.bits);
		else
			ck_assert_msg(strcmp(bhxh_pw_reason_code(v.reason), t[i].code) == 0,
				      "'%s': got %s (%u bits), want %s", t[i].pw,
				      bhxh_pw_reason_code(v.reason), v.bits, t[i].code);
	}
	bhxh_pw_policy_free(p);
}
END_TEST

/* The longest passwords the module accepts, made of the patterns the
 * estimate follows furthest (keyboard walks, sequences, repeats), are
 * checked in linear-ish time: a user at the prompt cannot make the check
 * take seconds (a 1000-character walk once took 7 s). */
START_TEST(worst_case_input_is_fast)
{
	static const char *const unit[] = { "as", "qwertyuiop", "abcdefghijklmnopqrstuvwxyz",
					    "a", "1qaz2wsx", "hanoi" };
	struct bhxh_pw_policy *p = policy(base_args);
	char pw[BHXH_PASS_MAX];

	for (size_t u = 0; u < BHXH_ARRAY_SIZE(unit); u++) {
		struct bhxh_pw_verdict v;
		size_t len = strlen(unit[u]), k;
		clock_t t0;
		double secs;

		for (k = 0; k + len < sizeof(pw); k += len)
			memcpy(pw + k, unit[u], len);
		pw[k] = '\0';
		t0 = clock();
		ck_assert_int_eq(bhxh_pw_check(p, pw, NULL, "nvminh", NULL, &v), 0);
		secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		ck_assert_msg(secs < 1.0, "'%s' x %zu took %.2f s", unit[u], k / len, secs);
	}
	bhxh_pw_policy_free(p);
}
END_TEST

START_TEST(user_and_gecos)
{
	struct bhxh_pw_policy *p = policy(base_args);
	struct bhxh_pw_verdict v;

	ck_assert_int_eq(bhxh_pw_check(p, "Tranthiloan#1984", NULL, "tranloan",
				       "Tran Thi Loan,P.KeToan", &v), 0);
	ck_assert_int_ne(v.reason, BHXH_PW_OK);
	ck_assert_int_eq(bhxh_pw_check(p, "same old passphrase here", "same old passphrase here",
				       "x", NULL, &v), 0);
	ck_assert_str_eq(bhxh_pw_reason_code(v.reason), "same_as_old");
	bhxh_pw_policy_free(p);
}
END_TEST

START_TEST(charlen_counts_characters)
{
	ck_assert_uint_eq(bhxh_pw_charlen("đường"), 5);
	ck_assert_uint_eq(bhxh_pw_charlen("e\xcc\x81"), 1);       /* e + combining acute */
	ck_assert_uint_eq(bhxh_pw_charlen("Vie\xcc\xa3\xcc\x82t"), 4); /* e + dot + circumflex */
	ck_assert_uint_eq(bhxh_pw_charlen("abc"), 3);
	ck_assert_uint_eq(bhxh_pw_charlen("\xff\xfe"), 2); /* invalid bytes count one each */
	ck_assert_uint_eq(bhxh_pw_charlen(""), 0);
}
END_TEST

/* libpwquality pitfall 1: with positive credits, minlen=12 accepts 10
 * characters.  pam_bhxh counts characters and credits never shorten it. */
START_TEST(pitfall_minlen_with_credits)
{
	static const char *const args[] = { "pwquality_conf=none", "denylist=none", "minlen=12",
					    "dcredit=1", "ucredit=1", "lcredit=1", "ocredit=1",
					    "min_strength=0", NULL };
	struct bhxh_pw_policy *p = policy(args);
	pwquality_settings_t *q = pwquality_default_settings();
	struct bhxh_pw_verdict v;
	void *aux = NULL;

	ck_assert_int_eq(pwquality_set_option(q, "minlen=12"), 0);
	ck_assert_int_eq(pwquality_set_option(q, "dcredit=1"), 0);
	ck_assert_int_eq(pwquality_set_option(q, "ucredit=1"), 0);
	ck_assert_int_eq(pwquality_set_option(q, "lcredit=1"), 0);
	ck_assert_int_eq(pwquality_set_option(q, "ocredit=1"), 0);
	ck_assert_int_ge(pwquality_check(q, "Xq7#Lm2$Vp", NULL, NULL, &aux), 0); /* the pitfall */
	pwquality_free_settings(q);

	ck_assert_int_eq(bhxh_pw_check(p, "Xq7#Lm2$Vp", NULL, NULL, NULL, &v), 0);
	ck_assert_str_eq(bhxh_pw_reason_code(v.reason), "too_short");
	ck_assert_int_eq(v.need, 12);
	ck_assert_uint_eq(v.chars, 10);
	/* Vietnamese letters are one character each, not 2-3 bytes */
	ck_assert_int_eq(bhxh_pw_check(p, "Đường#Phố9", NULL, NULL, NULL, &v), 0);
	ck_assert_str_eq(bhxh_pw_reason_code(v.reason), "too_short");
	bhxh_pw_policy_free(p);
}
END_TEST

/* libpwquality pitfall 2: a missing cracklib dictionary must be a clear
 * configuration error, never a silent accept. */
START_TEST(pitfall_missing_dictionary)
{
	struct bhxh_conf c;
	struct bhxh_pw_policy *p = NULL;
	char err[BHXH_ERR_MAX] = "";
	static const char *const args[] = { "pwquality_conf=none", "denylist=none",
					    "dictpath=/nonexistent/cracklib_dict", NULL };
	static const char *const off[] = { "pwquality_conf=none", "denylist=none",
					   "dictpath=/nonexistent/cracklib_dict", "dictcheck=0",
					   NULL };

	conf_from(&c, args);
	ck_assert_int_lt(bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)), 0);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "cracklib dictionary /nonexistent/cracklib_dict.pwd") != NULL,
		      "%s", err);
	conf_from(&c, off); /* explicitly switched off: fine */
	ck_assert_int_eq(bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)), 0);
	bhxh_pw_policy_free(p);
	/* the same for the Vietnamese dictionary and the denylist */
	{
		static const char *const a2[] = { "pwquality_conf=none", "denylist=none",
						  "vi_dict=/nonexistent/vi.dic", NULL };
		static const char *const a3[] = { "pwquality_conf=none",
						  "denylist=/nonexistent/dl", NULL };

		conf_from(&c, a2);
		ck_assert_int_eq(bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)), -ENOENT);
		conf_from(&c, a3);
		ck_assert_int_eq(bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)), -ENOENT);
		ck_assert_msg(strstr(err, "denylist") != NULL, "%s", err);
	}
}
END_TEST

START_TEST(options_and_profiles)
{
	static const struct {
		const char *arg;
		int ok;
	} t[] = {
		{ "dcredit=-1", 1 }, { "dcredit=1", 1 }, { "dcredit=x", 0 }, { "dcredit=", 0 },
		/* the peers' ranges: any int, clamped where they clamp */
		{ "dcredit=--1", 0 }, { "minlen=5", 1 }, { "minlen=6", 1 }, { "minlen=257", 1 },
		{ "minlen=-1", 1 }, { "minlen=", 0 },
		{ "enforce_for_root", 1 }, { "enforce_for_root=0", 1 }, { "enforce_for_root=2", 0 },
		{ "profile=nist", 1 }, { "profile=weak", 0 }, { "remember=401", 1 },
		{ "remember=-1", 1 }, { "remember=ten", 0 },
		{ "denylist=relative", 0 }, { "denylist=none", 1 }, { "record", 1 },
		{ "minclass=5", 1 }, { "retry=0", 1 }, { "dcredit=2147483648", 0 },
		{ "difok=5", 1 }, { "usersubstr=4", 1 }, { "enforcing=0", 1 }, { "enforcing=x", 0 },
		{ "gecoscheck=3", 1 }, { "dictcheck=0", 1 }, { "usercheck=2", 1 },
		{ "reject_username", 1 }, { "difignore=23", 1 }, { "use_first_pass", 1 },
		{ "authtok_type=UNIX", 1 }, { "type=UNIX", 1 }, { "try_first_pass", 1 },
		{ "file=/etc/security/opasswd", 1 }, { "file=opasswd", 0 },
		{ "pwhistory_conf=none", 1 }, { "pwhistory_conf=x", 0 },
		{ "lang=vi", 1 }, { "lang=auto", 1 }, { "lang=en", 1 }, { "lang=fr", 0 },
	};
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(t); i++) {
		bhxh_conf_init(&c);
		ck_assert_msg((bhxh_conf_apply(&c, t[i].arg, BHXH_SCOPE_ARG, NULL, err,
					       sizeof(err)) == 0) == t[i].ok,
			      "%s", t[i].arg);
	}
	/* record is a module argument only */
	bhxh_conf_init(&c);
	ck_assert_int_lt(bhxh_conf_apply(&c, "record", BHXH_SCOPE_FILE, "f:1", err, sizeof(err)), 0);

	/* profile values, and explicit options win whatever the order */
	{
		static const char *const nist[] = { "pwquality_conf=none", "denylist=none",
						    "profile=nist", NULL };
		static const char *const over[] = { "pwquality_conf=none", "denylist=none",
						    "minlen=20", "profile=nist", "remember=3", NULL };
		struct bhxh_pw_policy *p = policy(nist);

		ck_assert_int_eq(bhxh_pw_policy_params(p)->minlen, 15);
		ck_assert_int_eq(bhxh_pw_policy_params(p)->remember, 0);
		bhxh_pw_policy_free(p);
		p = policy(over);
		ck_assert_int_eq(bhxh_pw_policy_params(p)->minlen, 20);
		ck_assert_int_eq(bhxh_pw_policy_params(p)->remember, 3);
		ck_assert_int_eq(bhxh_pw_policy_params(p)->enforce_for_root, 1);
		bhxh_pw_policy_free(p);
	}
}
END_TEST

/* The peers' clamps: libpwquality's minlen >= 6 and minclass <= 4,
 * pam_pwquality's retry >= 1, pam_pwhistory's remember 0..400. */
START_TEST(peer_clamps)
{
	static const char *const a[] = { "pwquality_conf=none", "denylist=none", "minlen=2",
					 "minclass=9", "retry=0", "remember=1000", NULL };
	static const char *const b[] = { "pwquality_conf=none", "denylist=none", "minlen=-4",
					 "retry=-2", "remember=-3", NULL };
	struct bhxh_pw_policy *p = policy(a);

	ck_assert_int_eq(bhxh_pw_policy_params(p)->minlen, 6);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->minclass, 4);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->retry, 1);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->remember, 400);
	bhxh_pw_policy_free(p);
	p = policy(b);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->minlen, 6);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->retry, 1);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->remember, 0);
	bhxh_pw_policy_free(p);
}
END_TEST

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Load the password phase's configuration with peer files in scratch. */
static int load_pw(struct bhxh_conf *c, const char *extra, char *err, size_t errlen)
{
	char a0[PATH_MAX + 16], a1[PATH_MAX + 16], a2[PATH_MAX + 16];
	const char *args[] = { a0, a1, a2, extra, NULL };

	snprintf(a0, sizeof(a0), "conf=%s/bhxh.conf", scratch);
	snprintf(a1, sizeof(a1), "pwquality_conf=%s/pwquality.conf", scratch);
	snprintf(a2, sizeof(a2), "pwhistory_conf=%s/pwhistory.conf", scratch);
	return bhxh_conf_load_pw(c, extra ? 4 : 3, args, err, errlen);
}

/* pwquality.conf (after pwquality.conf.d/\*.conf) and pwhistory.conf in
 * their own grammar, then bhxh.conf, then the arguments. */
START_TEST(pwquality_conf_is_read)
{
	char path[PATH_MAX], err[BHXH_ERR_MAX] = "";
	struct bhxh_conf c;
	struct bhxh_pw_policy *p;

	snprintf(path, sizeof(path), "%s/bhxh.conf", scratch);
	write_text(path, "denylist = none\n");
	snprintf(path, sizeof(path), "%s/pwquality.conf.d", scratch);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/pwquality.conf.d/10-site.conf", scratch);
	write_text(path, "minlen = 16\nusersubstr = 4\n");
	snprintf(path, sizeof(path), "%s/pwquality.conf.d/ignored.txt", scratch);
	write_text(path, "nonsense\n");
	snprintf(path, sizeof(path), "%s/pwquality.conf", scratch);
	write_text(path, "# test\nminlen = 18\nDCREDIT=-2 # comment\n  difok 7\n"
			 "enforce_for_root = 0\nlocal_users_only\nbadwords =\n");
	snprintf(path, sizeof(path), "%s/pwhistory.conf", scratch);
	write_text(path, "remember = 7\ndebug\nfile = /etc/security/opasswd\nretry=2\n");
	ck_assert_msg(load_pw(&c, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->minlen, 18);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->dcredit, -2);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->difok, 7);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->usersubstr, 4);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->enforce_for_root, 1); /* set by presence */
	ck_assert_int_eq(bhxh_pw_policy_params(p)->remember, 7);
	ck_assert_int_eq(bhxh_pw_policy_params(p)->retry, 2);
	ck_assert(c.pw.local_users_only);
	ck_assert(!c.lockout.local_users_only); /* pwquality's: the password phase only */
	ck_assert(c.debug);
	bhxh_pw_policy_free(p);

	/* bhxh.conf beats the peers' files, the arguments beat bhxh.conf */
	snprintf(path, sizeof(path), "%s/bhxh.conf", scratch);
	write_text(path, "denylist = none\nminlen = 14\nremember = 3\n");
	ck_assert_msg(load_pw(&c, "remember=2", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(c.pw.minlen, 14);
	ck_assert_int_eq(c.pw.remember, 2);
	ck_assert_int_eq(c.pw.dcredit, -2);

	/* what no peer accepts fails, naming file:line */
	snprintf(path, sizeof(path), "%s/pwquality.conf", scratch);
	write_text(path, "minlen = 8\nminlength = 9\n");
	ck_assert_int_lt(load_pw(&c, NULL, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "pwquality.conf:2: unknown option 'minlength'") != NULL, "%s", err);
	write_text(path, "minlen = eight\n");
	ck_assert_int_lt(load_pw(&c, NULL, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "pwquality.conf:1:") != NULL, "%s", err);
	write_text(path, "remember = 3\n"); /* pwhistory's key, not pwquality's */
	ck_assert_int_lt(load_pw(&c, NULL, err, sizeof(err)), 0);
	write_text(path, "");
	snprintf(path, sizeof(path), "%s/pwhistory.conf", scratch);
	write_text(path, "remember = 3\nminlen = 9\n");
	ck_assert_int_lt(load_pw(&c, NULL, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "pwhistory.conf:2:") != NULL, "%s", err);
	write_text(path, "file = relative\n");
	ck_assert_int_lt(load_pw(&c, NULL, err, sizeof(err)), 0);
	/* missing peer files are no error */
	ck_assert_int_eq(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/pwquality.conf", scratch);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_msg(load_pw(&c, NULL, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

static void rand_word(char *buf, size_t len, unsigned *seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + rand_r(seed) % 26);
	buf[len] = '\0';
}

START_TEST(denylist_filter)
{
	enum { N = 100000 };
	char path[128], (*words)[16] = calloc(N, 16);
	const char **ptrs = calloc(N, sizeof(*ptrs));
	struct bhxh_dl_stats st;
	struct bhxh_denylist *dl = NULL;
	unsigned seed = 42, fp = 0;

	ck_assert_ptr_nonnull(words);
	ck_assert_ptr_nonnull(ptrs);
	snprintf(path, sizeof(path), "%s/dl", scratch);
	for (size_t i = 0; i < N; i++) {
		rand_word(words[i], 12, &seed);
		ptrs[i] = words[i];
	}
	ck_assert_int_eq(bhxh_denylist_build_mem(ptrs, N, path, 16, &st), 0);
	ck_assert_uint_eq(st.entries, N);
	/* binary fuse filter, 16-bit fingerprints: ~2.36 bytes per entry at
	 * this size (2.26 from a few million entries on) */
	ck_assert_uint_le(st.file_bytes, (uint64_t)N * 24 / 10 + 64);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), 0);
	/* no false negatives, case-insensitive */
	for (size_t i = 0; i < N; i++)
		ck_assert(bhxh_denylist_contains(dl, words[i], 12));
	words[0][0] = (char)(words[0][0] - 32);
	ck_assert(bhxh_denylist_contains(dl, words[0], 12));
	/* documented false-positive rate: 2^-16 (1.5e-5), asserted < 1e-4 */
	for (size_t i = 0; i < N; i++) {
		char w[16];

		rand_word(w, 13, &seed); /* 13 letters: never inserted */
		fp += bhxh_denylist_contains(dl, w, 13);
	}
	ck_assert_msg(fp < N / 10000, "false positives %u of %d", fp, N);
	bhxh_denylist_close(dl);
	free(words);
	free(ptrs);
}
END_TEST

static void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	unsigned char b;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &b, 1, off), 1);
	b ^= 0x40;
	ck_assert_int_eq(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

START_TEST(denylist_corruption)
{
	static const char *const w[] = { "matkhau123", "anhyeuem", "P@ssw0rd" };
	char path[128], list[128];
	struct bhxh_denylist *dl = NULL;
	struct bhxh_dl_stats st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/dl", scratch);
	ck_assert_int_eq(bhxh_denylist_build_mem(w, 3, path, 16, NULL), 0);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), 0);
	ck_assert(bhxh_denylist_contains(dl, "MATKHAU123", 10));
	ck_assert(!bhxh_denylist_contains(dl, "matkhau1234", 11));
	bhxh_denylist_close(dl);
	flip_byte(path, BHXH_DL_HEADER + 3);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), -EBADMSG);
	ck_assert_int_eq(bhxh_denylist_open(path, false, &dl), 0); /* header still fine */
	bhxh_denylist_close(dl);
	flip_byte(path, 20);
	ck_assert_int_eq(bhxh_denylist_open(path, false, &dl), -EBADMSG);
	/* world-writable file refused */
	ck_assert_int_eq(bhxh_denylist_build_mem(w, 3, path, 16, NULL), 0);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), -EPERM);
	/* from a text list: CRLF, empty and over-long lines */
	snprintf(list, sizeof(list), "%s/list.txt", scratch);
	f = fopen(list, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "matkhau\r\n\nanhyeuem\n");
	for (int i = 0; i < BHXH_PASS_MAX + 5; i++)
		fputc('x', f);
	fprintf(f, "\nlast-without-newline");
	fclose(f);
	ck_assert_int_eq(bhxh_denylist_build(list, path, 16, &st), 0);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), 0);
	ck_assert(bhxh_denylist_contains(dl, "matkhau", 7));
	ck_assert(bhxh_denylist_contains(dl, "last-without-newline", 20));
	bhxh_denylist_close(dl);
}
END_TEST

START_TEST(denylist_in_checker)
{
	static const char *const w[] = { "zebracrossing", "password" };
	char path[128], arg[160];
	const char *args[] = { "pwquality_conf=none", arg, "min_strength=0", NULL };
	struct bhxh_pw_policy *p;
	struct bhxh_pw_verdict v;

	snprintf(path, sizeof(path), "%s/dl", scratch);
	snprintf(arg, sizeof(arg), "denylist=%s", path);
	ck_assert_int_eq(bhxh_denylist_build_mem(w, 2, path, 16, NULL), 0);
	p = policy(args);
	ck_assert_int_eq(bhxh_pw_check(p, "ZebraCrossing", NULL, NULL, NULL, &v), 0);
	ck_assert_str_eq(bhxh_pw_reason_code(v.reason), "denylisted");
	ck_assert_int_eq(bhxh_pw_check(p, "!!zebracrossing2026", NULL, NULL, NULL, &v), 0);
	ck_assert_str_eq(bhxh_pw_reason_code(v.reason), "denylisted");
	ck_assert_int_eq(bhxh_pw_check(p, "P@$$w0rd#2026", NULL, NULL, NULL, &v), 0);
	ck_assert_str_eq(bhxh_pw_reason_code(v.reason), "denylisted");
	bhxh_pw_policy_free(p);
}
END_TEST

/* The hash being replaced is saved once: a retried or refused change, or
 * a record line that saved the same shadow hash, adds nothing. */
START_TEST(history_add_hash_once)
{
	char dir[128], salt[CRYPT_GENSALT_OUTPUT_SIZE], h1[256], h2[256];
	struct crypt_data cd;
	bool found;
	long long last;

	snprintf(dir, sizeof(dir), "%s/history", scratch);
	memset(&cd, 0, sizeof(cd));
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)));
	snprintf(h1, sizeof(h1), "%s", crypt_rn("current pass one", salt, &cd, (int)sizeof(cd)));
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)));
	snprintf(h2, sizeof(h2), "%s", crypt_rn("current pass two", salt, &cd, (int)sizeof(cd)));
	ck_assert_int_eq(bhxh_history_add_hash(dir, "an", h1, 86400, 3), 0);
	ck_assert_int_eq(bhxh_history_add_hash(dir, "an", h1, 86400, 3), 0);
	ck_assert_int_eq(bhxh_history_add_hash(dir, "an", h2, 172800, 3), 0);
	ck_assert_int_eq(bhxh_history_add_hash(dir, "an", h2, 172800, 3), 0);
	/* two records: depth 2 reaches the first, depth 1 only the newest */
	ck_assert_int_eq(bhxh_history_check(dir, "an", "current pass one", 2, &found, &last), 0);
	ck_assert(found);
	ck_assert_int_eq(last, 172800);
	ck_assert_int_eq(bhxh_history_check(dir, "an", "current pass one", 1, &found, &last), 0);
	ck_assert(!found);
	ck_assert_int_eq(bhxh_history_check(dir, "an", "current pass two", 1, &found, &last), 0);
	ck_assert(found);
	/* an older hash is saved again when it is not the newest */
	ck_assert_int_eq(bhxh_history_add_hash(dir, "an", h1, 259200, 3), 0);
	ck_assert_int_eq(bhxh_history_check(dir, "an", "current pass one", 1, &found, &last), 0);
	ck_assert(found);
	/* not a hash (locked, empty, a line break) */
	ck_assert_int_eq(bhxh_history_add_hash(dir, "an", "", 0, 3), -EINVAL);
	ck_assert_int_eq(bhxh_history_add_hash(dir, "an", "!$y$x\n1 $y$y", 0, 3), -EINVAL);
	ck_assert_int_eq(bhxh_history_add_hash(dir, "../an", h1, 0, 3), -EINVAL);
	explicit_bzero(&cd, sizeof(cd));
}
END_TEST

START_TEST(history_reuse_and_trim)
{
	char dir[128];
	bool found;
	long long last;

	snprintf(dir, sizeof(dir), "%s/history", scratch);
	ck_assert_int_eq(bhxh_history_check(dir, "an", "x", 5, &found, &last), 0);
	ck_assert(!found);
	ck_assert_int_eq(last, -1);
	ck_assert_int_eq(bhxh_history_add(dir, "an", "first pass phrase", 1000, 3), 0);
	ck_assert_int_eq(bhxh_history_add(dir, "an", "second pass phrase", 2000, 3), 0);
	ck_assert_int_eq(bhxh_history_add(dir, "an", "third pass phrase", 3000, 3), 0);
	ck_assert_int_eq(bhxh_history_check(dir, "an", "first pass phrase", 3, &found, &last), 0);
	ck_assert(found);
	ck_assert_int_eq(last, 3000);
	ck_assert_int_eq(bhxh_history_check(dir, "an", "first pass phrase", 2, &found, &last), 0);
	ck_assert(!found); /* older than the depth asked */
	ck_assert_int_eq(bhxh_history_add(dir, "an", "fourth pass phrase", 4000, 3), 0);
	ck_assert_int_eq(bhxh_history_check(dir, "an", "first pass phrase", 10, &found, &last), 0);
	ck_assert(!found); /* trimmed to 3 */
	ck_assert_int_eq(bhxh_history_check(dir, "an", "second pass phrase", 10, &found, &last), 0);
	ck_assert(found);
	/* the hashes are yescrypt, the file root-only */
	{
		char path[200], buf[512];
		struct stat st;
		FILE *f;

		snprintf(path, sizeof(path), "%s/an", dir);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0600);
		ck_assert_int_eq(stat(dir, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0700);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
		ck_assert_msg(strstr(buf, " $y$") != NULL, "%s", buf);
		fclose(f);
		ck_assert_int_eq(chmod(path, 0644), 0);
		ck_assert_int_eq(bhxh_history_check(dir, "an", "x", 3, &found, &last), -EPERM);
		ck_assert_int_eq(chmod(path, 0600), 0);
		/* a symlink is never followed */
		snprintf(buf, sizeof(buf), "%s/evil", dir);
		ck_assert_int_eq(symlink(path, buf), 0);
		ck_assert_int_lt(bhxh_history_check(dir, "evil", "x", 3, &found, &last), 0);
	}
	ck_assert_int_eq(bhxh_history_check(dir, "../etc", "x", 3, &found, &last), -EINVAL);
}
END_TEST

static int exists_cb(const char *user, void *arg)
{
	(void)arg;
	return strcmp(user, "gone") != 0;
}

START_TEST(history_import_and_prune)
{
	char dir[128], op[128];
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	unsigned users = 0, bad = 0, removed = 0;
	bool found;
	long long last;
	FILE *f;

	memset(&cd, 0, sizeof(cd));
	snprintf(dir, sizeof(dir), "%s/history", scratch);
	snprintf(op, sizeof(op), "%s/opasswd", scratch);
	f = fopen(op, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof(salt)));
	fprintf(f, "binh:1001:2:%s,", crypt_r("old one", salt, &cd));
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)));
	fprintf(f, "%s\n", crypt_r("old two", salt, &cd));
	fprintf(f, "gone:1002:1:%s\n", crypt_r("x", salt, &cd));
	fprintf(f, "../bad:1003:1:%s\n", crypt_r("x", salt, &cd));
	fprintf(f, "broken line\n");
	fclose(f);
	ck_assert_int_eq(bhxh_history_add(dir, "binh", "current", 5000, 10), 0);
	ck_assert_int_eq(bhxh_history_import(dir, op, &users, &bad), 0);
	ck_assert_uint_eq(users, 2);
	ck_assert_uint_eq(bad, 2);
	ck_assert_int_eq(bhxh_history_check(dir, "binh", "old one", 10, &found, &last), 0);
	ck_assert(found);
	ck_assert_int_eq(last, 5000); /* imported records go before ours */
	ck_assert_int_eq(bhxh_history_check(dir, "binh", "old two", 10, &found, &last), 0);
	ck_assert(found);
	ck_assert_int_eq(bhxh_history_prune(dir, exists_cb, NULL, &removed), 0);
	ck_assert_uint_eq(removed, 1);
	ck_assert_int_eq(bhxh_history_check(dir, "gone", "x", 10, &found, &last), 0);
	ck_assert(!found);
	ck_assert_int_eq(bhxh_history_check(dir, "binh", "old two", 10, &found, &last), 0);
	ck_assert(found);
	bhxh_wipe(&cd, sizeof(cd));
}
END_TEST

/* Hashes whose cost would hang every password change (regression: an
 * opasswd line with bcrypt cost 31 made the history check run for days) are
 * refused at import and ignored when planted in a history file; hashes of
 * the bounded methods are kept.  A hang fails the test by Check's timeout. */
START_TEST(history_costly_hash_refused)
{
	static const char *const costly[] = {
		"$2b$31$abcdefghijklmnopqrstuu5ZbOJPkFfy1hW1Cm2mgT0dDtSOjmXwK",
		"$6$rounds=999999999$saltsalt$abc",
		"$5$rounds=1000001$saltsalt$abc",
		"$y$jzT$abcdefghijklmnopqrstu/$abc",
		"$y$jGT$abcdefghijklmnopqrstu/$abc",
		"$y$j9T5$abcdefghijklmnopqrstu/$abc",
		"$gy$jGT$abcdefghijklmnopqrstu/$abc",
		"$7$DU..../....abcdefgh$abc",
		"$sha1$4294967295$saltsalt$abc",
		"_J9..abcdefghijklmnop",
	};
	char dir[128], op[128], path[160], salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;
	struct crypt_data cd;
	unsigned users = 0, bad = 0;
	bool found;
	long long last;
	FILE *f;

	memset(&cd, 0, sizeof(cd));
	snprintf(dir, sizeof(dir), "%s/history", scratch);
	snprintf(op, sizeof(op), "%s/opasswd-costly", scratch);
	f = fopen(op, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < sizeof(costly) / sizeof(costly[0]); i++)
		fprintf(f, "costly:1004:1:%s\n", costly[i]);
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof(salt)));
	fprintf(f, "thu:1005:3:%s,", crypt_r("old bcrypt", salt, &cd));
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$6$", 5000, NULL, 0, salt, sizeof(salt)));
	fprintf(f, "%s,", crypt_r("old sha", salt, &cd));
	ck_assert_ptr_nonnull(crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)));
	fprintf(f, "%s\n", crypt_r("old yescrypt", salt, &cd));
	fclose(f);
	ck_assert_int_eq(bhxh_history_import(dir, op, &users, &bad), 0);
	ck_assert_uint_eq(users, 1);
	ck_assert_uint_eq(bad, sizeof(costly) / sizeof(costly[0]));
	ck_assert_int_eq(bhxh_history_check(dir, "costly", "x", 10, &found, &last), 0);
	ck_assert(!found);
	ck_assert_int_eq(last, -1);
	ck_assert_int_eq(bhxh_history_check(dir, "thu", "old bcrypt", 10, &found, &last), 0);
	ck_assert(found);
	ck_assert_int_eq(bhxh_history_check(dir, "thu", "old yescrypt", 10, &found, &last), 0);
	ck_assert(found);

	/* planted directly in a history file: ignored, never hashed */
	snprintf(path, sizeof(path), "%s/thu", dir);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "7 %s\n", costly[0]);
	fclose(f);
	h = costly[1];
	ck_assert_int_eq(bhxh_history_check(dir, "thu", h, 10, &found, &last), 0);
	ck_assert(!found);
	ck_assert_int_eq(last, 0); /* the newest kept record is an imported one */
	bhxh_wipe(&cd, sizeof(cd));
}
END_TEST

/* Concurrent changes never lose a record. */
START_TEST(history_concurrent)
{
	enum { PROCS = 6, EACH = 3 };
	char dir[128], path[160], line[512];
	int lines = 0;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/history", scratch);
	for (int p = 0; p < PROCS; p++) {
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char pw[32];
			int bad = 0;

			for (int i = 0; i < EACH; i++) {
				snprintf(pw, sizeof(pw), "pass %d %d", p, i);
				bad |= bhxh_history_add(dir, "dung", pw, 100 + i, 100) != 0;
			}
			_exit(bad);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int st;

		ck_assert_int_ge(wait(&st), 0);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	snprintf(path, sizeof(path), "%s/dung", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		lines++;
	fclose(f);
	ck_assert_int_eq(lines, PROCS * EACH);
}
END_TEST

START_TEST(reason_codes_and_messages)
{
	for (int r = 0; r < BHXH_PW_REASON_MAX_; r++) {
		struct bhxh_pw_verdict v = { .reason = (enum bhxh_pw_reason)r, .chars = 3, .need = 12 };
		const char *code = bhxh_pw_reason_code(v.reason);
		char msg[768];

		ck_assert_str_ne(code, "error");
		for (const char *c = code; *c; c++)
			ck_assert(*c == '_' || (*c >= 'a' && *c <= 'z'));
		bhxh_pw_explain(&v, msg, sizeof(msg));
		ck_assert_uint_gt(strlen(msg), 10);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pw");
	TCase *tc = tcase_create("pw");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, weak_and_strong);
	tcase_add_test(tc, pwquality_conf_bom);
	tcase_add_test(tc, worst_case_input_is_fast);
	tcase_add_test(tc, user_and_gecos);
	tcase_add_test(tc, charlen_counts_characters);
	tcase_add_test(tc, pitfall_minlen_with_credits);
	tcase_add_test(tc, pitfall_missing_dictionary);
	tcase_add_test(tc, options_and_profiles);
	tcase_add_test(tc, pwquality_conf_is_read);
	tcase_add_test(tc, peer_clamps);
	tcase_add_test(tc, denylist_filter);
	tcase_add_test(tc, denylist_corruption);
	tcase_add_test(tc, denylist_in_checker);
	tcase_add_test(tc, history_reuse_and_trim);
	tcase_add_test(tc, history_add_hash_once);
	tcase_add_test(tc, history_import_and_prune);
	tcase_add_test(tc, history_costly_hash_refused);
	tcase_add_test(tc, history_concurrent);
	tcase_add_test(tc, reason_codes_and_messages);
	suite_add_tcase(s, tc);
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
