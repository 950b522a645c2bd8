#!/bin/bash
# SPDX-License-Identifier: MIT
# test_reconcile.sh against Knot DNS instead of BIND: the same checks, so that
# the RFC 2136, TSIG and AXFR code is proven against two implementations.
IT_NS=knot IT_NAME=test_reconcile_knot exec bash "$(dirname "$0")/test_reconcile.sh"
