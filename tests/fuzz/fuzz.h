/* SPDX-License-Identifier: MIT */
/*
 * The entry point every fuzz target defines (libFuzzer's contract). The same
 * targets are linked either with libFuzzer (-DDDNS_FUZZ=ON, clang) or with
 * replay.c, which feeds them a corpus under ctest.
 */
#ifndef DDNS_TESTS_FUZZ_H
#define DDNS_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the code promises was broken: crash so the fuzzer records it. */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

#endif
