/* SPDX-License-Identifier: MIT */
/* ddnsd routes (hidden): the REST route table, for the OpenAPI test. */
#include <stdio.h>

#include "api/rest.h"
#include "cli/cli.h"

/* Hidden: the REST route table, for the OpenAPI consistency test. */
int
cli_routes(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	api_rest_routes_print(stdout);
	return CLI_EXIT_OK;
}
