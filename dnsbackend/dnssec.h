/* SPDX-License-Identifier: MIT */
/*
 * DNSSEC-signed zones. ddnsd never signs: the primary does (BIND
 * dnssec-policy with inline-signing, Knot dnssec-signing), and a signed
 * zone then holds records that the signer made and keeps up to date by
 * itself. Reconcile must not count them as anyone's records: they are
 * not hosts' data, they change whenever the signer re-signs, and pushing
 * them back would fight the signer.
 */
#ifndef DDNS_DNSBACKEND_DNSSEC_H
#define DDNS_DNSBACKEND_DNSSEC_H

#include <stdbool.h>
#include <stdint.h>

#define DNS_RR_RRSIG 46
#define DNS_RR_NSEC 47
#define DNS_RR_DNSKEY 48
#define DNS_RR_NSEC3 50
#define DNS_RR_NSEC3PARAM 51
#define DNS_RR_CDS 59
#define DNS_RR_CDNSKEY 60
#define DNS_RR_ZONEMD 63
/* BIND's private record of its signing state (sig-signing-type default). */
#define DNS_RR_BIND_SIGNING 65534

/*
 * True when records of type are the signer's: RRSIG, NSEC, NSEC3,
 * NSEC3PARAM, DNSKEY, CDS, CDNSKEY, ZONEMD and BIND's TYPE65534. (The
 * SOA serial the signer bumps is the other trace of signing; reconcile
 * never compares the SOA.) DS is not: it is delegation data of a child.
 */
bool dns_rrtype_is_signers(uint16_t type);

#endif
