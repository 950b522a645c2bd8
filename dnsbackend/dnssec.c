/* SPDX-License-Identifier: MIT */
#include "dnsbackend/dnssec.h"

bool
dns_rrtype_is_signers(uint16_t type)
{
	switch (type) {
	case DNS_RR_RRSIG:
	case DNS_RR_NSEC:
	case DNS_RR_DNSKEY:
	case DNS_RR_NSEC3:
	case DNS_RR_NSEC3PARAM:
	case DNS_RR_CDS:
	case DNS_RR_CDNSKEY:
	case DNS_RR_ZONEMD:
	case DNS_RR_BIND_SIGNING: return true;
	default: return false;
	}
}
