-- SPDX-License-Identifier: MIT
-- Where a host may be created (db/placement.c): the hosts below a name are
-- found by a range scan of the reversed names ("test.dyn.home." sorts
-- right before everything under home.dyn.test), tombstones included: a
-- name whose records DNS still holds for a deleted host is ddnsd's own.
CREATE INDEX hosts_rfqdn_idx ON hosts ((reverse(fqdn) COLLATE "C"));
