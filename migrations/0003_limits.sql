-- SPDX-License-Identifier: MIT
-- Abuse limits whose state must hold across several ddnsd instances.
--
-- Per host, a token bucket of address changes, kept on the host row so that
-- the one UPDATE of a "good" also takes its token: bucket_tokens NULL means
-- a full bucket; it refills continuously since bucket_at.
ALTER TABLE hosts ADD COLUMN bucket_tokens double precision;
ALTER TABLE hosts ADD COLUMN bucket_at timestamptz;

-- Failed authentications per client prefix (IPv4 /32, IPv6 /64) in a
-- fixed window. Written only on a failure; expired rows are removed a few
-- at a time by later failures.
CREATE TABLE auth_failures (
	prefix       cidr PRIMARY KEY,
	window_start timestamptz NOT NULL DEFAULT now(),
	count        integer NOT NULL DEFAULT 1 CHECK (count >= 0)
);
CREATE INDEX auth_failures_window_idx ON auth_failures (window_start);
