/* SPDX-License-Identifier: MIT */
/*
 * Test data files under tests/unit/data/ (captures of real nameservers and
 * clients), shared by the unit tests that need the same bytes.
 */
#ifndef DDNS_TESTS_UNIT_DATA_H
#define DDNS_TESTS_UNIT_DATA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads tests/unit/data/NAME (under $DDNS_SOURCE_DIR, else ".") into buf
 * (sz bytes) and returns its length; fails the current check when the
 * file is missing or does not fit.
 */
size_t unit_data_load(const char *name, uint8_t *buf, size_t sz);

/*
 * nsupdate_update.bin: what BIND 9.18's nsupdate sent (captured from a TCP
 * listener, without the length prefix, message id 0x7291) for
 *   zone example.com
 *   update delete host1.example.com A
 *   update add host1.example.com 300 A 192.0.2.1
 *   update delete host1.example.com AAAA
 *   update add host1.example.com 300 AAAA 2001:db8::1
 *   update delete host2.example.com A
 *   update add host2.example.com 60 A 192.0.2.2
 *   update delete host2.example.com AAAA
 */
#define UNIT_NSUPDATE_FILE "nsupdate_update.bin"
#define UNIT_NSUPDATE_LEN 149

#endif
