#!/bin/bash
# SPDX-License-Identifier: MIT
# test_dnssec.sh against Knot DNS signing the zones (dnssec-signing: on)
# instead of BIND's inline-signing: the same checks.
IT_NS=knot IT_NAME=test_dnssec_knot exec bash "$(dirname "$0")/test_dnssec.sh"
