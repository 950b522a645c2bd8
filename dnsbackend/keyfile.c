/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/errors.h"
#include "dnsbackend/keyfile.h"
#include "dnsbackend/wire.h"

#define KEYFILE_MAX (1024 * 1024)
#define KEYS_MAX 1024

enum tok_kind { TOK_EOF, TOK_WORD, TOK_STRING, TOK_PUNCT };

struct lexer {
	const char *p;
	const char *end;
};

struct token {
	enum tok_kind kind;
	const char *s; /* not NUL-terminated */
	size_t len;
};

static int lex_skip(struct lexer *lx);
static int lex_next(struct lexer *lx, struct token *t);
static int tok_is(const struct token *t, const char *word);
static int tok_punct(const struct token *t, char c);
static int expect_punct(struct lexer *lx, char c);
static int parse_name(const struct token *t, char *out, size_t outsz);
static int parse_secret(const struct token *t, struct dns_tsig_key *k);
static int parse_block(struct lexer *lx, struct dns_tsig_key *k);
static int keyring_add(struct dns_keyring *kr, size_t *size,
		       const struct dns_tsig_key *k);
static int word_char(const struct lexer *lx);

/* True if the character at lx->p continues a bare word. */
static int
word_char(const struct lexer *lx)
{
	unsigned char c = (unsigned char)*lx->p;

	if (c == '/')
		return lx->end - lx->p < 2 ||
		       (lx->p[1] != '/' && lx->p[1] != '*');
	return c > 0x20 && c < 0x7f && c != '{' && c != '}' && c != ';' &&
	       c != '"' && c != '#';
}

/* Skips white space and comments. DDNS_EMALFORMED on an open comment. */
static int
lex_skip(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			lx->p++;
		} else if (c == '#' || (c == '/' && lx->end - lx->p >= 2 &&
					lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->end - lx->p >= 2 &&
			   lx->p[1] == '*') {
			lx->p += 2;
			for (;;) {
				if (lx->end - lx->p < 2)
					return DDNS_EMALFORMED;
				if (lx->p[0] == '*' && lx->p[1] == '/')
					break;
				lx->p++;
			}
			lx->p += 2;
		} else {
			break;
		}
	}
	return 0;
}

static int
lex_next(struct lexer *lx, struct token *t)
{
	int ret;

	if ((ret = lex_skip(lx)) != 0)
		return ret;
	t->s = lx->p;
	t->len = 0;
	if (lx->p == lx->end) {
		t->kind = TOK_EOF;
		return 0;
	}
	if (*lx->p == '{' || *lx->p == '}' || *lx->p == ';') {
		t->kind = TOK_PUNCT;
		t->len = 1;
		lx->p++;
		return 0;
	}
	if (*lx->p == '"') {
		/* No escapes: nothing a key file holds needs them. */
		t->kind = TOK_STRING;
		t->s = ++lx->p;
		while (lx->p < lx->end && *lx->p != '"') {
			if (*lx->p == '\\' || *lx->p == '\n' || *lx->p == '\0')
				return DDNS_EMALFORMED;
			lx->p++;
		}
		if (lx->p == lx->end)
			return DDNS_EMALFORMED;
		t->len = (size_t)(lx->p - t->s);
		lx->p++;
		return 0;
	}
	if (!word_char(lx))
		return DDNS_EMALFORMED;
	t->kind = TOK_WORD;
	while (lx->p < lx->end && word_char(lx))
		lx->p++;
	t->len = (size_t)(lx->p - t->s);
	return 0;
}

static int
tok_is(const struct token *t, const char *word)
{
	return t->kind == TOK_WORD && t->len == strlen(word) &&
	       strncasecmp(t->s, word, t->len) == 0;
}

static int
tok_punct(const struct token *t, char c)
{
	return t->kind == TOK_PUNCT && t->s[0] == c;
}

static int
expect_punct(struct lexer *lx, char c)
{
	struct token t;
	int ret;

	if ((ret = lex_next(lx, &t)) != 0)
		return ret;
	return tok_punct(&t, c) ? 0 : DDNS_EMALFORMED;
}

/* Key name: lower case, one trailing dot dropped, valid as a DNS name. */
static int
parse_name(const struct token *t, char *out, size_t outsz)
{
	uint8_t wire[255];
	size_t i, n = t->len;

	if (t->kind != TOK_WORD && t->kind != TOK_STRING)
		return DDNS_EMALFORMED;
	if (n > 0 && t->s[n - 1] == '.')
		n--;
	/* "name.." would keep a trailing dot that no lookup ever matches. */
	if (n == 0 || n >= outsz || t->s[n - 1] == '.')
		return DDNS_EMALFORMED;
	for (i = 0; i < n; i++) {
		char c = t->s[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	if (dns_name_to_wire(out, wire, sizeof(wire)) < 0)
		return DDNS_EMALFORMED;
	return 0;
}

static int
parse_secret(const struct token *t, struct dns_tsig_key *k)
{
	size_t bin_len = 0;

	if (t->kind != TOK_STRING && t->kind != TOK_WORD)
		return DDNS_EMALFORMED;
	if (sodium_base642bin(k->secret, sizeof(k->secret), t->s, t->len, NULL,
			      &bin_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		sodium_memzero(k->secret, sizeof(k->secret));
		return DDNS_EMALFORMED;
	}
	if (bin_len == 0)
		return DDNS_EMALFORMED;
	k->secret_len = bin_len;
	return 0;
}

/* Parses "name { algorithm ...; secret ...; };" after the word "key". */
static int
parse_block(struct lexer *lx, struct dns_tsig_key *k)
{
	struct token t, v;
	int ret, have_alg = 0, have_secret = 0;

	if ((ret = lex_next(lx, &t)) != 0 ||
	    (ret = parse_name(&t, k->name, sizeof(k->name))) != 0 ||
	    (ret = expect_punct(lx, '{')) != 0)
		return ret;
	for (;;) {
		if ((ret = lex_next(lx, &t)) != 0)
			return ret;
		if (tok_punct(&t, '}'))
			break;
		if ((ret = lex_next(lx, &v)) != 0)
			return ret;
		if (tok_is(&t, "algorithm") && !have_alg) {
			if (v.kind != TOK_WORD && v.kind != TOK_STRING)
				return DDNS_EMALFORMED;
			v.kind = TOK_WORD;
			if (!tok_is(&v, "hmac-sha256"))
				return DDNS_EMALFORMED;
			have_alg = 1;
		} else if (tok_is(&t, "secret") && !have_secret) {
			if ((ret = parse_secret(&v, k)) != 0)
				return ret;
			have_secret = 1;
		} else {
			return DDNS_EMALFORMED;
		}
		if ((ret = expect_punct(lx, ';')) != 0)
			return ret;
	}
	if ((ret = expect_punct(lx, ';')) != 0)
		return ret;
	return have_alg && have_secret ? 0 : DDNS_EMALFORMED;
}

static int
keyring_add(struct dns_keyring *kr, size_t *size, const struct dns_tsig_key *k)
{
	struct dns_tsig_key *nk;
	size_t nsize;

	if (dns_keyring_find(kr, k->name) != NULL || kr->n >= KEYS_MAX)
		return DDNS_EMALFORMED;
	if (kr->n == *size) {
		/* Grow by copying so no secret is left behind by realloc. */
		nsize = *size ? *size * 2 : 4;
		nk = calloc(nsize, sizeof(*nk));
		if (nk == NULL)
			return DDNS_ENOMEM;
		if (kr->n > 0) {
			memcpy(nk, kr->keys, kr->n * sizeof(*nk));
			sodium_memzero(kr->keys, kr->n * sizeof(*nk));
		}
		free(kr->keys);
		kr->keys = nk;
		*size = nsize;
	}
	kr->keys[kr->n++] = *k;
	return 0;
}

int
dns_keyfile_parse(const char *text, size_t len, struct dns_keyring *kr)
{
	struct lexer lx;
	struct token t;
	struct dns_tsig_key k;
	size_t size = 0;
	int ret;

	if (kr == NULL)
		return DDNS_EINVAL;
	kr->keys = NULL;
	kr->n = 0;
	if (text == NULL || memchr(text, '\0', len) != NULL)
		return DDNS_EMALFORMED;
	lx.p = text;
	lx.end = text + len;
	for (;;) {
		if ((ret = lex_next(&lx, &t)) != 0)
			goto out;
		if (t.kind == TOK_EOF)
			break;
		if (!tok_is(&t, "key")) {
			ret = DDNS_EMALFORMED;
			goto out;
		}
		memset(&k, 0, sizeof(k));
		if ((ret = parse_block(&lx, &k)) != 0 ||
		    (ret = keyring_add(kr, &size, &k)) != 0)
			goto out;
	}
	ret = kr->n > 0 ? 0 : DDNS_EMALFORMED;
out:
	sodium_memzero(&k, sizeof(k));
	if (ret != 0)
		dns_keyring_free(kr);
	return ret;
}

int
dns_keyfile_load(const char *path, struct dns_keyring *kr)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0, size = 0;
	ssize_t r;
	int fd, ret;

	if (kr == NULL)
		return DDNS_EINVAL;
	kr->keys = NULL;
	kr->n = 0;
	if (path == NULL)
		return DDNS_EINVAL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto out;
	}
	if (st.st_size < 0 || st.st_size > KEYFILE_MAX) {
		ret = DDNS_EMALFORMED;
		goto out;
	}
	size = (size_t)st.st_size + 1;
	if ((text = malloc(size)) == NULL) {
		ret = DDNS_ENOMEM;
		goto out;
	}
	/* Read to EOF, at most the size fstat reported (the file may shrink).
	 */
	while (len < size) {
		r = read(fd, text + len, size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == size) { /* grew while being read */
		ret = DDNS_EMALFORMED;
		goto out;
	}
	ret = dns_keyfile_parse(text, len, kr);
out:
	if (text != NULL) {
		sodium_memzero(text, size);
		free(text);
	}
	close(fd);
	return ret;
}

const struct dns_tsig_key *
dns_keyring_find(const struct dns_keyring *kr, const char *name)
{
	size_t i, n;

	if (kr == NULL || name == NULL)
		return NULL;
	n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		n--;
	for (i = 0; i < kr->n; i++) {
		if (strlen(kr->keys[i].name) == n &&
		    strncasecmp(kr->keys[i].name, name, n) == 0)
			return &kr->keys[i];
	}
	return NULL;
}

void
dns_keyring_free(struct dns_keyring *kr)
{
	if (kr == NULL)
		return;
	if (kr->keys != NULL) {
		sodium_memzero(kr->keys, kr->n * sizeof(*kr->keys));
		free(kr->keys);
	}
	kr->keys = NULL;
	kr->n = 0;
}
