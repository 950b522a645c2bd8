#!/bin/sh
# SPDX-License-Identifier: MIT
# One-shot, run as root in the BIND image before named starts: generates
# the TSIG key into the shared key volume (once; kept across restarts) and
# the initial zone file. The key is readable by named (group bind) and by
# ddnsd (uid 10001), by nobody else.
set -eu
KEYS_DIR=${KEYS_DIR:-/keys}
ZONES_DIR=${ZONES_DIR:-/var/lib/bind}
ZONE=${ZONE:-dyn.example}
DDNSD_UID=${DDNSD_UID:-10001}

mkdir -p "$KEYS_DIR" "$ZONES_DIR"
if [ ! -s "$KEYS_DIR/ddnsd.key" ]; then
	umask 077
	tsig-keygen -a hmac-sha256 ddnsd-key >"$KEYS_DIR/ddnsd.key.tmp"
	mv "$KEYS_DIR/ddnsd.key.tmp" "$KEYS_DIR/ddnsd.key"
	echo "tsig-init: generated $KEYS_DIR/ddnsd.key"
fi
chown "$DDNSD_UID:bind" "$KEYS_DIR/ddnsd.key"
chmod 0640 "$KEYS_DIR/ddnsd.key"
if [ ! -s "$ZONES_DIR/$ZONE.db" ]; then
	cat >"$ZONES_DIR/$ZONE.db" <<ZONEFILE
\$TTL 60
@	IN SOA	ns1.$ZONE. hostmaster.$ZONE. ( 1 3600 600 86400 60 )
@	IN NS	ns1.$ZONE.
ns1	IN A	127.0.0.1
ZONEFILE
	echo "tsig-init: created zone $ZONE"
fi
# named writes the journal next to the zone file.
chown -R bind:bind "$ZONES_DIR"
