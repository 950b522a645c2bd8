-- SPDX-License-Identifier: MIT
-- A host whose change the nameserver refuses (its update policy, a
-- record it does not allow: any RCODE but SERVFAIL) is quarantined by the
-- pusher so that it never holds back the rest of its zone. Its push state
-- is "refused" while push_refused_rcode is set (the RCODE's mnemonic);
-- it is tried again at push_retry_at (a backoff per host, doubling with
-- push_refusals) or as soon as it changes past push_refused_version. An
-- accepted push clears all four.
ALTER TABLE hosts
	ADD COLUMN push_refused_rcode text,
	ADD COLUMN push_refused_version bigint,
	ADD COLUMN push_refusals integer NOT NULL DEFAULT 0,
	ADD COLUMN push_retry_at timestamptz;
