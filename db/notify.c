/* SPDX-License-Identifier: MIT */
#include "common/log.h"
#include "common/wake.h"
#include "db/notify.h"
#include "db/stmt.h"

void
db_changed(struct db_conn *c, enum db_changed_scope scope)
{
	ddns_wake_dirty();
	if (scope != DB_CHANGED_ALL || c == NULL)
		return;
	if (db_command(c, "NOTIFY ddns_dirty") != 0)
		log_warn("NOTIFY ddns_dirty failed; other instances push "
			 "the change within DDNS_PUSH_INTERVAL_MS");
}

int
db_listen(struct db_conn *c)
{
	return db_command(c, "LISTEN ddns_dirty");
}

int
db_notify_fd(struct db_conn *c)
{
	return c != NULL ? PQsocket(db_pg(c)) : -1;
}

int
db_notify_drain(struct db_conn *c)
{
	PGnotify *nf;
	int n = 0;

	if (db_notify_fd(c) < 0)
		return 0;
	PQconsumeInput(db_pg(c));
	while ((nf = PQnotifies(db_pg(c))) != NULL) {
		PQfreemem(nf);
		n++;
	}
	return n;
}
