-- Hosts that follow another host of their account (devices behind a
-- router): AAAA = the first prefix_len bits of the router's LAN prefix
-- (or, when the router sent none, of its own AAAA) + the last
-- 128 - prefix_len bits of ipv6_iid; A = the router's A unless
-- ipv4_follows is false. The derived addresses are stored in the
-- follower's ipv4/ipv6, so the pusher and reconcile treat them like any
-- other; db/hosts.c re-derives them in the statement that changes the
-- router. No chains: a follower is never followed (db/hosts.c checks it
-- with the account row locked). follows_id is no foreign key: one from
-- hosts to itself makes "pg_dump --data-only" warn about circular
-- constraints; a followed host is never deleted while live hosts follow
-- it (db/hosts.c), and ids are never reused, so an id left in a
-- tombstone matches nothing.
ALTER TABLE hosts
    ADD COLUMN follows_id bigint,
    ADD COLUMN ipv6_iid inet,
    ADD COLUMN prefix_len smallint NOT NULL DEFAULT 64,
    ADD COLUMN ipv4_follows boolean NOT NULL DEFAULT true,
    ADD COLUMN lan_prefix cidr,
    ADD CONSTRAINT hosts_prefix_len_range CHECK (prefix_len BETWEEN 1 AND 127),
    ADD CONSTRAINT hosts_iid_v6 CHECK (ipv6_iid IS NULL OR family(ipv6_iid) = 6),
    ADD CONSTRAINT hosts_lan_prefix_v6 CHECK (lan_prefix IS NULL OR family(lan_prefix) = 6),
    ADD CONSTRAINT hosts_follows_other CHECK (follows_id IS DISTINCT FROM id);

CREATE INDEX hosts_follows_idx ON hosts (follows_id) WHERE follows_id IS NOT NULL;

-- The follower's AAAA: NULL when there is no prefix or no interface id.
CREATE FUNCTION ddns_follow_ipv6(prefix inet, len integer, iid inet)
RETURNS inet LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN prefix IS NULL OR iid IS NULL OR family(prefix) <> 6
        THEN NULL
        ELSE set_masklen(
            (set_masklen(prefix, 128) & netmask(set_masklen(prefix, len)))
            | (set_masklen(iid, 128) & hostmask(set_masklen(iid, len))),
            128)
    END
$$;
