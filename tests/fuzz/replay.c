/* SPDX-License-Identifier: MIT */
/*
 * Replays every file of the directories given on the command line through
 * LLVMFuzzerTestOneInput, so that ctest runs each fuzz corpus (seeds and
 * crash reproducers) under the normal compiler and, in the ASan build, under
 * AddressSanitizer and UBSan. Exit status 0 when every input ran; a bug
 * aborts the process.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

#define REPLAY_FILE_MAX (1024 * 1024)

static int replay_file(const char *path);
static int replay_dir(const char *dir, size_t *count);

static int
replay_file(const char *path)
{
	FILE *f;
	uint8_t *data = NULL;
	long size;
	size_t n;
	int ret = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    size > REPLAY_FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: %s: unreadable or too large\n", path);
		goto out;
	}
	/* Exactly the file's size, so that ASan sees reads past the input. */
	if ((data = malloc(size > 0 ? (size_t)size : 1)) == NULL)
		goto out;
	n = fread(data, 1, (size_t)size, f);
	if (n != (size_t)size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(data, n);
	ret = 0;
out:
	free(data);
	fclose(f);
	return ret;
}

static int
replay_dir(const char *dir, size_t *count)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char path[4096];
	int ret = 0, n;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) != 0)
			ret = -1;
		else
			(*count)++;
	}
	closedir(d);
	return ret;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-dir...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_dir(argv[i], &count) != 0)
			ret = 1;
	printf("replayed %zu inputs\n", count);
	if (count == 0)
		ret = 1; /* an empty corpus tests nothing */
	return ret;
}
