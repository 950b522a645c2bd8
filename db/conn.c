/* SPDX-License-Identifier: MIT */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "common/errors.h"
#include "common/names.h"
#include "common/log.h"
#include "common/metrics.h"
#include "db/conn.h"
#include "db/stmt.h"

#define DB_MAX_STMTS 64

struct db_conn {
	PGconn *pg;
	char *url;
	const struct db_stmt *prepared[DB_MAX_STMTS];
	size_t nprepared;
};

static void conn_forget_prepared(struct db_conn *c);
static int conn_prepare(struct db_conn *c, const struct db_stmt *st);
static void conn_check_idle(struct db_conn *c);
static void thread_conn_free(void *p);
static void thread_key_make(void);
static void log_pg_error(const char *what, const char *msg);
static void notice_cb(void *arg, const char *msg);
static void list_item(const char *list, size_t i, char *out, size_t outsz);
static PGresult *exec_once(struct db_conn *c, const struct db_stmt *st,
			   const char *const *params, int *err);

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;
static char *thread_url;

static void
log_pg_error(const char *what, const char *msg)
{
	char line[512];
	size_t n;

	/* libpq messages never contain the password, but are multi-line. */
	snprintf(line, sizeof(line), "%s", msg ? msg : "");
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	log_error("postgresql: %s: %s", what, line);
}

/* NOTICEs ("relation already exists, skipping") are not for operators. */
static void
notice_cb(void *arg, const char *msg)
{
	(void)arg;
	log_debug("postgresql: %s", msg);
}

struct db_conn *
db_connect(const char *url, int *err)
{
	struct db_conn *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->url = strdup(url)) == NULL) {
		free(c);
		*err = DDNS_ENOMEM;
		return NULL;
	}
	c->pg = PQconnectdb(url);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		ddns_metrics_db_error();
		log_pg_error("connect", PQerrorMessage(c->pg));
		db_close(c);
		*err = DDNS_EDB;
		return NULL;
	}
	PQsetNoticeProcessor(c->pg, notice_cb, NULL);
	*err = 0;
	return c;
}

void
db_close(struct db_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->pg);
	free(c->url);
	free(c);
}

static void
conn_forget_prepared(struct db_conn *c)
{
	c->nprepared = 0;
}

int
db_ensure(struct db_conn *c)
{
	if (PQstatus(c->pg) == CONNECTION_OK)
		return 0;
	conn_forget_prepared(c);
	PQreset(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		ddns_metrics_db_error();
		log_pg_error("reconnect", PQerrorMessage(c->pg));
		return DDNS_EDB;
	}
	log_info("postgresql: reconnected");
	return 0;
}

PGconn *
db_pg(struct db_conn *c)
{
	return c->pg;
}

static int
conn_prepare(struct db_conn *c, const struct db_stmt *st)
{
	PGresult *r;
	int ok;

	for (size_t i = 0; i < c->nprepared; i++)
		if (c->prepared[i] == st)
			return 0;
	if (c->nprepared == DB_MAX_STMTS)
		return DDNS_ENOMEM;
	r = PQprepare(c->pg, st->name, st->sql, st->nparams, NULL);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		log_pg_error(st->name, PQerrorMessage(c->pg));
	PQclear(r);
	if (!ok)
		return DDNS_EDB;
	c->prepared[c->nprepared++] = st;
	return 0;
}

static PGresult *
exec_once(struct db_conn *c, const struct db_stmt *st,
	  const char *const *params, int *err)
{
	PGresult *r;
	ExecStatusType s;
	const char *state;

	if ((*err = db_ensure(c)) != 0)
		return NULL;
	if ((*err = conn_prepare(c, st)) != 0) {
		if (PQstatus(c->pg) != CONNECTION_OK)
			conn_forget_prepared(c);
		return NULL;
	}
	r = PQexecPrepared(c->pg, st->name, st->nparams, params, NULL, NULL, 0);
	s = PQresultStatus(r);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		*err = 0;
		return r;
	}
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state != NULL && strcmp(state, "23505") == 0) {
		*err = DDNS_EEXIST;
	} else {
		log_pg_error(st->name, PQerrorMessage(c->pg));
		*err = DDNS_EDB;
	}
	PQclear(r);
	if (PQstatus(c->pg) != CONNECTION_OK)
		conn_forget_prepared(c);
	return NULL;
}

PGresult *
db_exec(struct db_conn *c, const struct db_stmt *st, const char *const *params,
	int *err)
{
	return exec_once(c, st, params, err);
}

PGresult *
db_exec_read(struct db_conn *c, const struct db_stmt *st,
	     const char *const *params, int *err)
{
	PGresult *r = exec_once(c, st, params, err);

	if (r == NULL && *err == DDNS_EDB && PQstatus(c->pg) != CONNECTION_OK) {
		log_info("postgresql: connection was lost; retrying %s once",
			 st->name);
		r = exec_once(c, st, params, err);
	}
	return r;
}

int
db_command(struct db_conn *c, const char *sql)
{
	PGresult *r;
	ExecStatusType s;

	if (db_ensure(c) != 0)
		return DDNS_EDB;
	r = PQexec(c->pg, sql);
	s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		log_pg_error(sql, PQerrorMessage(c->pg));
	PQclear(r);
	return (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) ? 0 : DDNS_EDB;
}

PGresult *
db_exec_locked(struct db_conn *c, const struct db_stmt *lock,
	       const char *const *lock_params, const struct db_stmt *st,
	       const char *const *params, int *err)
{
	PGresult *r;

	if ((*err = db_command(c, "BEGIN")) != 0)
		return NULL;
	if ((r = db_exec(c, lock, lock_params, err)) != NULL) {
		PQclear(r);
		r = db_exec(c, st, params, err);
	}
	if (r == NULL) {
		db_command(c, "ROLLBACK");
		return NULL;
	}
	if ((*err = db_command(c, "COMMIT")) != 0) {
		PQclear(r);
		return NULL;
	}
	return r;
}

/*
 * An idle connection that PostgreSQL closed (a restart) still says
 * CONNECTION_OK until it is used; its socket is readable then (the
 * server's goodbye, or EOF). Reading that makes libpq notice, so that
 * db_ensure() reconnects before a statement is sent rather than the
 * statement failing. No round trip: one poll() that does not wait.
 */
static void
conn_check_idle(struct db_conn *c)
{
	struct pollfd p;

	/* The goodbye (a FATAL message) is read first, the EOF after it. */
	for (int i = 0; i < 4; i++) {
		if (PQstatus(c->pg) != CONNECTION_OK || PQisBusy(c->pg))
			return;
		p.fd = PQsocket(c->pg);
		p.events = POLLIN;
		p.revents = 0;
		if (p.fd < 0 || poll(&p, 1, 0) <= 0)
			return;
		if (PQconsumeInput(c->pg) == 0) {
			log_info("postgresql: an idle connection was closed "
				 "by the server");
			return;
		}
	}
}

int
db_exec_ll(struct db_conn *c, const struct db_stmt *st,
	   const char *const *params, long long *v)
{
	PGresult *r;
	int err;

	if ((r = db_exec(c, st, params, &err)) == NULL)
		return err;
	err = PQntuples(r) == 1 ? 0 : DDNS_ENOENT;
	if (err == 0 && v != NULL)
		*v = db_get_ll(r, 0, 0);
	PQclear(r);
	return err;
}

int
db_tx_end(struct db_conn *c, int err)
{
	if (err == 0)
		return db_command(c, "COMMIT") == 0 ? 0 : DDNS_EDB;
	db_command(c, "ROLLBACK");
	return err;
}

static void
thread_conn_free(void *p)
{
	db_close(p);
}

static void
thread_key_make(void)
{
	pthread_key_create(&thread_key, thread_conn_free);
}

int
db_thread_init(const char *url)
{
	pthread_once(&thread_once, thread_key_make);
	free(thread_url);
	thread_url = strdup(url);
	return thread_url ? 0 : DDNS_ENOMEM;
}

struct db_conn *
db_thread_conn(void)
{
	struct db_conn *c;
	int err;

	pthread_once(&thread_once, thread_key_make);
	c = pthread_getspecific(thread_key);
	if (c != NULL) {
		conn_check_idle(c);
		return db_ensure(c) == 0 ? c : NULL;
	}
	if (thread_url == NULL)
		return NULL;
	c = db_connect(thread_url, &err);
	if (c != NULL)
		pthread_setspecific(thread_key, c);
	return c;
}

long long
db_get_ll(const PGresult *r, int row, int col)
{
	const char *s;

	if (PQgetisnull(r, row, col))
		return 0;
	s = PQgetvalue(r, row, col);
	return strtoll(s, NULL, 10);
}

const char *
db_get_str(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return PQgetvalue(r, row, col);
}

int
db_id_array(struct ddns_buf *b, const long long *ids, size_t n)
{
	int err = ddns_buf_append_str(b, "{");

	for (size_t i = 0; i < n && err == 0; i++)
		err = ddns_buf_appendf(b, "%s%lld", i ? "," : "", ids[i]);
	if (err == 0)
		err = ddns_buf_append_str(b, "}");
	if (err == 0 && ddns_buf_cstr(b) == NULL)
		err = DDNS_ENOMEM;
	return err;
}

int
db_text_array(struct ddns_buf *b, const char *const *v, size_t n)
{
	int err = ddns_buf_append_str(b, "{");

	for (size_t i = 0; i < n && err == 0; i++) {
		if (i > 0)
			err = ddns_buf_append_str(b, ",");
		if (err == 0 && v[i] == NULL) {
			err = ddns_buf_append_str(b, "NULL");
			continue;
		}
		if (err == 0)
			err = ddns_buf_append_str(b, "\"");
		for (const char *p = v[i]; *p != '\0' && err == 0; p++) {
			if (*p == '"' || *p == '\\')
				err = ddns_buf_append(b, "\\", 1);
			if (err == 0)
				err = ddns_buf_append(b, p, 1);
		}
		if (err == 0)
			err = ddns_buf_append_str(b, "\"");
	}
	if (err == 0)
		err = ddns_buf_append_str(b, "}");
	if (err == 0 && ddns_buf_cstr(b) == NULL)
		err = DDNS_ENOMEM;
	return err;
}

int
db_get_bytea(const PGresult *r, int row, int col, uint8_t *out, size_t outsz,
	     size_t *len)
{
	const char *s = db_get_str(r, row, col);

	if (s == NULL)
		return DDNS_EDB;
	if (s[0] == '\\' && s[1] == 'x')
		s += 2;
	if (sodium_hex2bin(out, outsz, s, strlen(s), NULL, len, NULL) != 0)
		return DDNS_EDB;
	return 0;
}

int
db_get_text(const PGresult *r, int row, int col, char *out, size_t outsz)
{
	const char *s = db_get_str(r, row, col);
	size_t n;

	if (s == NULL || (n = strlen(s)) >= outsz)
		return DDNS_EDB;
	memcpy(out, s, n + 1);
	return 0;
}

void
db_get_addr(const PGresult *r, int row, int col, int family, bool *has,
	    uint8_t *out)
{
	const char *s = db_get_str(r, row, col);
	struct ddns_addr a;

	*has = false;
	if (s == NULL || ddns_addr_parse(s, strlen(s), &a) != 0 ||
	    a.family != family)
		return;
	*has = true;
	memcpy(out, a.bytes, family == AF_INET ? 4 : 16);
}

bool
db_get_bool(const PGresult *r, int row, int col)
{
	return strcmp(PQgetvalue(r, row, col), "t") == 0;
}

int
db_col_copy(const PGresult *r, int row, int col, char *out, size_t outsz)
{
	const char *s = db_get_str(r, row, col);
	size_t n;

	if (outsz == 0)
		return DDNS_EDB;
	out[0] = '\0';
	if (s == NULL)
		return 0;
	n = strlen(s);
	if (n >= outsz)
		return DDNS_EDB;
	memcpy(out, s, n + 1);
	return 0;
}

/* The i-th entry of a comma list (libpq's multi-host form) into out. */
static void
list_item(const char *list, size_t i, char *out, size_t outsz)
{
	const char *p = list != NULL ? list : "";
	size_t n;

	for (; i > 0 && p != NULL; i--)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	out[0] = '\0';
	if (p == NULL)
		return;
	n = strcspn(p, ",");
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

int
db_url_hosts(const char *url,
	     int (*cb)(void *arg, const char *host, const char *port),
	     void *arg)
{
	PQconninfoOption *opts, *o;
	const char *hosts = NULL, *ports = NULL, *addrs = NULL;
	char host[256], port[16];
	size_t n = 1;
	int err = 0;

	if ((opts = PQconninfoParse(url, NULL)) == NULL)
		return DDNS_EINVAL;
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "host") == 0)
			hosts = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			addrs = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			ports = o->val;
	}
	if (addrs != NULL && addrs[0] != '\0')
		hosts = addrs;
	for (const char *p = hosts; p != NULL && *p != '\0'; p++)
		n += *p == ',';
	for (size_t i = 0; i < n && err == 0; i++) {
		list_item(hosts, i, host, sizeof(host));
		list_item(ports, ports != NULL && strchr(ports, ',') ? i : 0,
			  port, sizeof(port));
		err = cb(arg, host[0] ? host : "localhost", port);
	}
	PQconninfoFree(opts);
	return err;
}
