#!/bin/bash
# SPDX-License-Identifier: MIT
# test_rest_namespace.sh against Knot DNS: the takeover cases against a
# second nameserver implementation (its answers to the name check).
IT_NS=knot IT_NAME=test_rest_namespace_knot exec bash "$(dirname "$0")/test_rest_namespace.sh"
