-- SPDX-License-Identifier: MIT
-- Failed password logins per account e-mail, shared by every instance, so
-- that guessing one account's password from many addresses is bounded as
-- well as guessing from one address (which each instance limits in
-- memory). Keyed by the SHA-256 of the lower-cased e-mail, for accounts
-- that exist and those that do not alike (the answer must not tell them
-- apart). A fixed window like auth_failures; expired rows are removed a
-- few at a time by later failures.
CREATE TABLE login_failures (
	email_hash   bytea PRIMARY KEY,
	window_start timestamptz NOT NULL DEFAULT now(),
	count        integer NOT NULL DEFAULT 1 CHECK (count >= 0)
);
CREATE INDEX login_failures_window_idx ON login_failures (window_start);
