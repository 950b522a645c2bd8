/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "common/ipv6.h"

void
ddns_ipv6_mask(uint8_t a[16], unsigned len)
{
	unsigned byte = len / 8, bits = len % 8;

	if (len >= 128)
		return;
	a[byte] &= (uint8_t)(0xff00u >> bits);
	if (byte + 1 < 16)
		memset(a + byte + 1, 0, 16 - byte - 1);
}

void
ddns_ipv6_join(const uint8_t prefix[16], unsigned len, const uint8_t iid[16],
	       uint8_t out[16])
{
	uint8_t mask, r[16];

	if (len > 128)
		len = 128;
	for (unsigned i = 0; i < 16; i++) {
		if (8 * (i + 1) <= len)
			mask = 0xff;
		else if (8 * i >= len)
			mask = 0;
		else
			mask = (uint8_t)(0xff00u >> (len - 8 * i));
		r[i] = (uint8_t)((prefix[i] & mask) |
				 (iid[i] & (uint8_t)~mask));
	}
	memcpy(out, r, 16);
}
