#!/bin/bash
# SPDX-License-Identifier: MIT
# test_nic_update.sh against Knot DNS instead of BIND: the same checks, so that
# the RFC 2136, TSIG code is proven against two implementations.
IT_NS=knot IT_NAME=test_nic_update_knot exec bash "$(dirname "$0")/test_nic_update.sh"
