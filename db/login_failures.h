/* SPDX-License-Identifier: MIT */
/*
 * Failed password logins per account e-mail (table login_failures),
 * shared by every instance: the per-account half of the login limit (the
 * per-address half is in memory, auth/login.h).
 */
#ifndef DDNS_DB_LOGIN_FAILURES_H
#define DDNS_DB_LOGIN_FAILURES_H

#include "db/conn.h"

/*
 * Seconds until the current window of email ends when it holds max or
 * more failures (*retry_s), else *retry_s = 0. The e-mail is compared
 * case-insensitively. Returns 0 or DDNS_EDB.
 */
int db_login_failure_blocked(struct db_conn *c, const char *email,
			     unsigned window_s, unsigned max,
			     unsigned *retry_s);

/*
 * Records one failed login for email in a fixed window of window_s
 * seconds (a new window when the last one has passed) and deletes a few
 * expired rows. *count receives the failures of the window including this
 * one. One statement. Returns 0 or DDNS_EDB.
 */
int db_login_failure_record(struct db_conn *c, const char *email,
			    unsigned window_s, unsigned *count);

#endif
