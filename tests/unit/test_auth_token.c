/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of auth/token.c: token text form, parsing, keyed hashing,
 * verification and password hashing.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "auth/token.h"
#include "common/errors.h"

static Suite *token_suite(void);
static void setup(void);
static void parse_ok(const char *text, struct auth_token *tok);

/* A token with known bytes: id "foobarfoobar", secret 0x00..0x1f. */
#define KNOWN_ID "mzxw6ytbojtg633cmfza"
#define KNOWN_SECRET "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define KNOWN_HOST "ddh_" KNOWN_ID "_" KNOWN_SECRET
#define KNOWN_ACCOUNT "dda_" KNOWN_ID "_" KNOWN_SECRET

static void
setup(void)
{
	ck_assert_int_eq(auth_init(NULL), 0);
}

static void
parse_ok(const char *text, struct auth_token *tok)
{
	ck_assert_int_eq(auth_token_parse(text, strlen(text), tok), 0);
}

START_TEST(test_generate_roundtrip)
{
	struct auth_token tok, back;
	char text[AUTH_TOKEN_TEXT_LEN + 1];
	enum auth_token_kind kind =
		_i == 0 ? AUTH_TOKEN_HOST : AUTH_TOKEN_ACCOUNT;
	size_t i;

	ck_assert_int_eq(auth_token_generate(kind, &tok, text, sizeof(text)),
			 0);
	ck_assert_uint_eq(strlen(text), AUTH_TOKEN_TEXT_LEN);
	ck_assert_uint_eq(strlen(text), 68);
	ck_assert_int_eq(
		memcmp(text, kind == AUTH_TOKEN_HOST ? "ddh_" : "dda_", 4), 0);
	ck_assert_int_eq(text[24], '_');
	ck_assert_uint_eq(strlen(tok.public_id), AUTH_TOKEN_ID_LEN);
	ck_assert_int_eq(memcmp(text + 4, tok.public_id, AUTH_TOKEN_ID_LEN), 0);
	for (i = 0; i < AUTH_TOKEN_ID_LEN; i++)
		ck_assert(strchr("abcdefghijklmnopqrstuvwxyz234567",
				 tok.public_id[i]) != NULL);
	for (i = 25; i < AUTH_TOKEN_TEXT_LEN; i++)
		ck_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
				 "tuvwxyz0123456789-_",
				 text[i]) != NULL);

	ck_assert_int_eq(auth_token_parse(text, strlen(text), &back), 0);
	ck_assert_int_eq(back.kind, kind);
	ck_assert_str_eq(back.public_id, tok.public_id);
	ck_assert_int_eq(memcmp(back.secret, tok.secret, sizeof(tok.secret)),
			 0);
}
END_TEST

START_TEST(test_generate_many)
{
	struct auth_token a, b;
	char ta[AUTH_TOKEN_TEXT_LEN + 1], tb[AUTH_TOKEN_TEXT_LEN + 1];
	struct auth_token back;
	int i;

	/* Fresh randomness every time; every output parses back. */
	for (i = 0; i < 500; i++) {
		ck_assert_int_eq(auth_token_generate(AUTH_TOKEN_HOST, &a, ta,
						     sizeof(ta)),
				 0);
		ck_assert_int_eq(auth_token_generate(AUTH_TOKEN_HOST, &b, tb,
						     sizeof(tb)),
				 0);
		ck_assert_str_ne(a.public_id, b.public_id);
		ck_assert_int_ne(memcmp(a.secret, b.secret, sizeof(a.secret)),
				 0);
		ck_assert_int_eq(auth_token_parse(ta, strlen(ta), &back), 0);
		ck_assert_int_eq(auth_token_parse(tb, strlen(tb), &back), 0);
	}
}
END_TEST

START_TEST(test_generate_small_buffer)
{
	struct auth_token tok;
	char text[AUTH_TOKEN_TEXT_LEN + 1];

	memset(text, 'X', sizeof(text));
	ck_assert_int_eq(auth_token_generate(AUTH_TOKEN_HOST, &tok, text,
					     AUTH_TOKEN_TEXT_LEN),
			 DDNS_ETRUNC);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(auth_token_generate(AUTH_TOKEN_HOST, &tok, NULL, 0),
			 DDNS_ETRUNC);
	ck_assert_int_eq(auth_token_generate((enum auth_token_kind)7, &tok,
					     text, sizeof(text)),
			 DDNS_EINVAL);
	ck_assert_int_eq(
		auth_token_generate(AUTH_TOKEN_HOST, NULL, text, sizeof(text)),
		DDNS_EINVAL);
}
END_TEST

START_TEST(test_parse_known)
{
	struct auth_token tok;
	uint8_t want[AUTH_TOKEN_SECRET_LEN];
	char buf[AUTH_TOKEN_TEXT_LEN + 8];
	size_t i;

	for (i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)i;
	parse_ok(KNOWN_HOST, &tok);
	ck_assert_int_eq(tok.kind, AUTH_TOKEN_HOST);
	ck_assert_str_eq(tok.public_id, KNOWN_ID);
	ck_assert_int_eq(memcmp(tok.secret, want, sizeof(want)), 0);

	parse_ok(KNOWN_ACCOUNT, &tok);
	ck_assert_int_eq(tok.kind, AUTH_TOKEN_ACCOUNT);

	/* Extreme alphabets: all-zero and all-one bytes. */
	parse_ok("ddh_aaaaaaaaaaaaaaaaaaaa_"
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		 &tok);
	parse_ok("ddh_7777777777777777777q_"
		 "__________________________________________8",
		 &tok);
	for (i = 0; i < sizeof(tok.secret); i++)
		ck_assert_uint_eq(tok.secret[i], 0xff);

	/* Input need not be NUL-terminated: len decides. */
	memcpy(buf, KNOWN_HOST "\nmore", sizeof(KNOWN_HOST "\nmore"));
	ck_assert_int_eq(auth_token_parse(buf, AUTH_TOKEN_TEXT_LEN, &tok), 0);
	ck_assert_int_eq(auth_token_parse(buf, AUTH_TOKEN_TEXT_LEN + 1, &tok),
			 DDNS_EAUTH);
}
END_TEST

struct bad_token {
	const char *what;
	const char *text;
	size_t len; /* 0: strlen */
};

static const struct bad_token bad_tokens[] = {
	{ "empty", "", 0 },
	{ "prefix only", "ddh_", 0 },
	{ "unknown kind", "ddx_" KNOWN_ID "_" KNOWN_SECRET, 0 },
	{ "upper-case kind", "DDH_" KNOWN_ID "_" KNOWN_SECRET, 0 },
	{ "kind with dash", "ddh-" KNOWN_ID "_" KNOWN_SECRET, 0 },
	{ "kind too long", "ddhh" KNOWN_ID "_" KNOWN_SECRET, 0 },
	{ "short kind", "dd_a" KNOWN_ID "_" KNOWN_SECRET, 0 },
	{ "id separator", "ddh_" KNOWN_ID "-" KNOWN_SECRET, 0 },
	{ "one short", "ddh_" KNOWN_ID "_" KNOWN_SECRET, 67 },
	{ "one long", "ddh_" KNOWN_ID "_" KNOWN_SECRET "A", 0 },
	{ "id one short", "ddh_mzxw6ytbojtg633cmfz_" KNOWN_SECRET "A", 0 },
	{ "id one long", "ddh_" KNOWN_ID "a_" KNOWN_SECRET, 0 },
	{ "trailing newline", "ddh_" KNOWN_ID "_" KNOWN_SECRET "\n", 0 },
	{ "leading space", " ddh_" KNOWN_ID "_" KNOWN_SECRET, 0 },
	{ "upper-case id", "ddh_MZXW6YTBOJTG633CMFZA_" KNOWN_SECRET, 0 },
	{ "id digit 0", "ddh_0zxw6ytbojtg633cmfza_" KNOWN_SECRET, 0 },
	{ "id digit 1", "ddh_1zxw6ytbojtg633cmfza_" KNOWN_SECRET, 0 },
	{ "id digit 8", "ddh_8zxw6ytbojtg633cmfza_" KNOWN_SECRET, 0 },
	{ "id digit 9", "ddh_9zxw6ytbojtg633cmfza_" KNOWN_SECRET, 0 },
	{ "id padding", "ddh_mzxw6ytbojtg633cmf=a_" KNOWN_SECRET, 0 },
	{ "id non-canonical", "ddh_mzxw6ytbojtg633cmfzb_" KNOWN_SECRET, 0 },
	{ "id non-canonical 2", "ddh_7777777777777777777r_" KNOWN_SECRET, 0 },
	{ "id non-canonical 3", "ddh_77777777777777777777_" KNOWN_SECRET, 0 },
	{ "id underscore", "ddh_mzxw6ytbojtg633c_fza_" KNOWN_SECRET, 0 },
	{ "secret std '+'",
	  "ddh_" KNOWN_ID "_+AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 0 },
	{ "secret std '/'",
	  "ddh_" KNOWN_ID "_/AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 0 },
	{ "secret padding",
	  "ddh_" KNOWN_ID "_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=", 0 },
	{ "secret space",
	  "ddh_" KNOWN_ID "_AAECAwQFBgcICQoLDA0O xAREhMUFRYXGBkaGxwdHh8", 0 },
	{ "secret non-canonical",
	  "ddh_" KNOWN_ID "_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", 0 },
	{ "secret non-canonical 2",
	  "ddh_" KNOWN_ID "_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", 0 },
	{ "secret high byte",
	  "ddh_" KNOWN_ID "_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH\xc3\xa9",
	  0 },
	{ "NUL in id", "ddh_mzxw6ytb\0jtg633cmfza_" KNOWN_SECRET, 68 },
	{ "NUL in secret",
	  "ddh_" KNOWN_ID "_AAECAwQFBgcICQoLDA0ODxAR\0hMUFRYXGBkaGxwdHh8", 68 },
	{ "all separators",
	  "__________________________________"
	  "__________________________________",
	  0 },
};

START_TEST(test_parse_bad)
{
	const struct bad_token *c = &bad_tokens[_i];
	struct auth_token tok;
	static const struct auth_token zero;
	size_t len = c->len ? c->len : strlen(c->text);

	memset(&tok, 0x5a, sizeof(tok));
	ck_assert_msg(auth_token_parse(c->text, len, &tok) == DDNS_EAUTH,
		      "accepted: %s", c->what);
	/* Nothing half-parsed (least of all secret bytes) is left behind. */
	ck_assert_msg(memcmp(&tok, &zero, sizeof(tok)) == 0, "not wiped: %s",
		      c->what);
}
END_TEST

START_TEST(test_parse_misuse)
{
	struct auth_token tok;

	ck_assert_int_eq(auth_token_parse(NULL, 68, &tok), DDNS_EAUTH);
	ck_assert_int_eq(auth_token_parse(KNOWN_HOST, 68, NULL), DDNS_EAUTH);
	ck_assert_int_eq(auth_token_parse(KNOWN_HOST, 0, &tok), DDNS_EAUTH);
	ck_assert_int_eq(auth_token_parse(KNOWN_HOST, SIZE_MAX, &tok),
			 DDNS_EAUTH);
}
END_TEST

START_TEST(test_hash_verify)
{
	struct auth_token tok;
	uint8_t hash[AUTH_TOKEN_HASH_LEN], bad[AUTH_TOKEN_HASH_LEN];
	char text[AUTH_TOKEN_TEXT_LEN + 1];
	size_t i;

	ck_assert_int_eq(
		auth_token_generate(AUTH_TOKEN_HOST, &tok, text, sizeof(text)),
		0);
	auth_token_hash(&tok, hash);
	ck_assert_int_eq(auth_token_verify(&tok, hash, sizeof(hash)), 0);

	/* Any single flipped secret bit fails. */
	for (i = 0; i < sizeof(tok.secret); i++) {
		tok.secret[i] ^= 0x01;
		ck_assert_int_eq(auth_token_verify(&tok, hash, sizeof(hash)),
				 DDNS_EAUTH);
		tok.secret[i] ^= 0x81;
		ck_assert_int_eq(auth_token_verify(&tok, hash, sizeof(hash)),
				 DDNS_EAUTH);
		tok.secret[i] ^= 0x80;
	}
	ck_assert_int_eq(auth_token_verify(&tok, hash, sizeof(hash)), 0);

	/* Any flipped stored byte fails. */
	for (i = 0; i < sizeof(hash); i++) {
		memcpy(bad, hash, sizeof(bad));
		bad[i] ^= 0x40;
		ck_assert_int_eq(auth_token_verify(&tok, bad, sizeof(bad)),
				 DDNS_EAUTH);
	}
	ck_assert_int_eq(auth_token_verify(&tok, hash, sizeof(hash) - 1),
			 DDNS_EAUTH);
	ck_assert_int_eq(auth_token_verify(&tok, hash, 0), DDNS_EAUTH);
	ck_assert_int_eq(auth_token_verify(&tok, NULL, sizeof(hash)),
			 DDNS_EAUTH);
	ck_assert_int_eq(auth_token_verify(NULL, hash, sizeof(hash)),
			 DDNS_EAUTH);

	/* The text form verifies after a round trip. */
	{
		struct auth_token back;

		parse_ok(text, &back);
		ck_assert_int_eq(auth_token_verify(&back, hash, sizeof(hash)),
				 0);
	}
}
END_TEST

START_TEST(test_hash_known_answer)
{
	/*
	 * Fixed vectors, computed once with another implementation (Python's
	 * hashlib) for the secret 0x00..0x1f:
	 *   blake2b(secret, digest_size=32)
	 *   blake2b(secret, digest_size=32,
	 *           key=blake2b(b"s3cret-pepper", digest_size=32).digest())
	 */
	static const uint8_t plain[AUTH_TOKEN_HASH_LEN] = {
		0xcb, 0x2f, 0x51, 0x60, 0xfc, 0x1f, 0x7e, 0x05,
		0xa5, 0x5e, 0xf4, 0x9d, 0x34, 0x0b, 0x48, 0xda,
		0x2e, 0x5a, 0x78, 0x09, 0x9d, 0x53, 0x39, 0x33,
		0x51, 0xcd, 0x57, 0x9d, 0xd4, 0x25, 0x03, 0xd6,
	};
	static const uint8_t peppered[AUTH_TOKEN_HASH_LEN] = {
		0x8a, 0xc4, 0x79, 0x3e, 0x9e, 0x73, 0x41, 0x66,
		0xcc, 0x31, 0x42, 0x6a, 0xb5, 0x51, 0x63, 0x23,
		0xe7, 0x2d, 0x6c, 0x80, 0x84, 0xb5, 0x5a, 0x5f,
		0x5b, 0xe9, 0xf2, 0xf3, 0x19, 0x7e, 0xce, 0x90,
	};
	struct auth_token tok;
	uint8_t got[AUTH_TOKEN_HASH_LEN];

	parse_ok(KNOWN_HOST, &tok);

	/* No pepper (NULL or empty): plain BLAKE2b-256 of the secret. */
	ck_assert_int_eq(auth_init(NULL), 0);
	auth_token_hash(&tok, got);
	ck_assert_mem_eq(got, plain, sizeof(plain));
	ck_assert_int_eq(auth_init(""), 0);
	auth_token_hash(&tok, got);
	ck_assert_mem_eq(got, plain, sizeof(plain));

	/* Pepper: keyed by BLAKE2b-256 of the pepper string. */
	ck_assert_int_eq(auth_init("s3cret-pepper"), 0);
	auth_token_hash(&tok, got);
	ck_assert_mem_eq(got, peppered, sizeof(peppered));
}
END_TEST

START_TEST(test_pepper_changes_hash)
{
	struct auth_token tok;
	uint8_t none[AUTH_TOKEN_HASH_LEN], p1[AUTH_TOKEN_HASH_LEN],
		p2[AUTH_TOKEN_HASH_LEN], again[AUTH_TOKEN_HASH_LEN];

	parse_ok(KNOWN_HOST, &tok);
	ck_assert_int_eq(auth_init(NULL), 0);
	auth_token_hash(&tok, none);
	ck_assert_int_eq(auth_init("pepper-one"), 0);
	auth_token_hash(&tok, p1);
	ck_assert_int_eq(auth_token_verify(&tok, p1, sizeof(p1)), 0);
	ck_assert_int_eq(auth_token_verify(&tok, none, sizeof(none)),
			 DDNS_EAUTH);
	ck_assert_int_eq(auth_init("pepper-two"), 0);
	auth_token_hash(&tok, p2);
	ck_assert_int_eq(auth_token_verify(&tok, p1, sizeof(p1)), DDNS_EAUTH);

	ck_assert_int_ne(memcmp(none, p1, sizeof(none)), 0);
	ck_assert_int_ne(memcmp(none, p2, sizeof(none)), 0);
	ck_assert_int_ne(memcmp(p1, p2, sizeof(p1)), 0);

	/* Deterministic for one pepper. */
	ck_assert_int_eq(auth_init("pepper-one"), 0);
	auth_token_hash(&tok, again);
	ck_assert_int_eq(memcmp(p1, again, sizeof(p1)), 0);
	ck_assert_int_eq(auth_init(NULL), 0);
	ck_assert_int_eq(auth_token_verify(&tok, none, sizeof(none)), 0);
}
END_TEST

START_TEST(test_wipe)
{
	struct auth_token tok;
	static const struct auth_token zero;

	parse_ok(KNOWN_HOST, &tok);
	auth_token_wipe(&tok);
	ck_assert_int_eq(memcmp(&tok, &zero, sizeof(tok)), 0);
	auth_token_wipe(NULL);
}
END_TEST

START_TEST(test_password)
{
	char h1[AUTH_PASSWORD_HASH_MAX], h2[AUTH_PASSWORD_HASH_MAX];
	char small[16];

	ck_assert_int_eq(
		auth_password_hash("correct horse:battery", h1, sizeof(h1)), 0);
	ck_assert_int_eq(strncmp(h1, "$argon2id$", 10), 0);
	ck_assert_int_eq(auth_password_verify(h1, "correct horse:battery"), 0);
	ck_assert_int_eq(auth_password_verify(h1, "correct horse:batterY"),
			 DDNS_EAUTH);
	ck_assert_int_eq(auth_password_verify(h1, "correct horse"), DDNS_EAUTH);
	ck_assert_int_eq(auth_password_verify(h1, ""), DDNS_EAUTH);

	/* Salted: the same password never hashes the same twice. */
	ck_assert_int_eq(
		auth_password_hash("correct horse:battery", h2, sizeof(h2)), 0);
	ck_assert_str_ne(h1, h2);
	ck_assert_int_eq(auth_password_verify(h2, "correct horse:battery"), 0);

	/* Non-ASCII and empty passwords are just bytes. */
	ck_assert_int_eq(auth_password_hash("", h2, sizeof(h2)), 0);
	ck_assert_int_eq(auth_password_verify(h2, ""), 0);
	ck_assert_int_eq(auth_password_verify(h2, " "), DDNS_EAUTH);

	ck_assert_int_eq(auth_password_verify(NULL, "x"), DDNS_EAUTH);
	ck_assert_int_eq(auth_password_verify(h1, NULL), DDNS_EAUTH);
	ck_assert_int_eq(auth_password_verify("", "x"), DDNS_EAUTH);
	ck_assert_int_eq(auth_password_verify("$argon2id$garbage", "x"),
			 DDNS_EAUTH);
	ck_assert_int_eq(auth_password_verify("plaintext", "plaintext"),
			 DDNS_EAUTH);

	ck_assert_int_eq(auth_password_hash("pw", small, sizeof(small)),
			 DDNS_ETRUNC);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(auth_password_hash(NULL, h1, sizeof(h1)), DDNS_EINVAL);
}
END_TEST

START_TEST(test_password_unterminated_hash)
{
	char h[AUTH_PASSWORD_HASH_MAX + 16];

	/* A stored hash without a NUL within the maximum is no match. */
	memset(h, 'a', sizeof(h));
	h[sizeof(h) - 1] = '\0';
	ck_assert_int_eq(auth_password_verify(h, "x"), DDNS_EAUTH);
}
END_TEST

static Suite *
token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc;

	tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_generate_roundtrip, 0, 2);
	tcase_add_test(tc, test_generate_many);
	tcase_add_test(tc, test_generate_small_buffer);
	tcase_add_test(tc, test_parse_known);
	tcase_add_loop_test(tc, test_parse_bad, 0,
			    (int)(sizeof(bad_tokens) / sizeof(bad_tokens[0])));
	tcase_add_test(tc, test_parse_misuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("hash");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_hash_verify);
	tcase_add_test(tc, test_hash_known_answer);
	tcase_add_test(tc, test_pepper_changes_hash);
	tcase_add_test(tc, test_wipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("password");
	tcase_add_checked_fixture(tc, setup, NULL);
	/* argon2id is slow on purpose, more so under sanitizers. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_password);
	tcase_add_test(tc, test_password_unterminated_hash);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(token_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
