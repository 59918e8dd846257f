/* Entry points of libnss_bhxh.so.2 (the only symbols it exports). */
#ifndef BHXH_NSS_BHXH_H
#define BHXH_NSS_BHXH_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <shadow.h>
#include <stddef.h>

enum nss_status _nss_bhxh_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
				     int *errnop);
enum nss_status _nss_bhxh_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
				     int *errnop);
enum nss_status _nss_bhxh_setpwent(int stayopen);
enum nss_status _nss_bhxh_getpwent_r(struct passwd *result, char *buf, size_t len, int *errnop);
enum nss_status _nss_bhxh_endpwent(void);
enum nss_status _nss_bhxh_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
				     int *errnop);
enum nss_status _nss_bhxh_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
				     int *errnop);
enum nss_status _nss_bhxh_setgrent(int stayopen);
enum nss_status _nss_bhxh_getgrent_r(struct group *result, char *buf, size_t len, int *errnop);
enum nss_status _nss_bhxh_endgrent(void);
enum nss_status _nss_bhxh_initgroups_dyn(const char *user, gid_t group, long *start, long *size,
					 gid_t **groupsp, long limit, int *errnop);
enum nss_status _nss_bhxh_getspnam_r(const char *name, struct spwd *sp, char *buf, size_t len,
				     int *errnop);
enum nss_status _nss_bhxh_setspent(int stayopen);
enum nss_status _nss_bhxh_getspent_r(struct spwd *result, char *buf, size_t len, int *errnop);
enum nss_status _nss_bhxh_endspent(void);

#endif
