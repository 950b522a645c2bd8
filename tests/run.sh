#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The whole test suite, as CI runs it: installs what is missing (apt-get),
# builds ddnsd twice (optimised, and with ASan+UBSan), starts a throwaway
# PostgreSQL and BIND on free loopback ports, and runs every test of both
# builds through ctest. Exits non-zero on any failure.
#
#   ./tests/run.sh            everything
#   ./tests/run.sh -R nic     only tests whose name matches (ctest -R)
#
# DDNS_BUILD_DIR (default build) names the build tree, DDNS_BUILD_DIR-asan
# the sanitizer one; DDNS_TEST_ASAN=0 skips the sanitizer build (for quick
# local runs; CI runs both).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../deploy/local/services.sh
. "$root/deploy/local/services.sh"

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
svc_install_deps

# One format (.clang-format): a C file that drifts from it fails the run.
step "format (clang-format --dry-run -Werror)"
if ! (cd "$root" && git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run -Werror); then
	echo "tests/run.sh: the files above are not formatted: run" \
		"git ls-files '*.c' '*.h' | xargs clang-format -i" >&2
	exit 1
fi

jobs=$(nproc 2>/dev/null || echo 2)
base=${DDNS_BUILD_DIR:-build}
variants=("$base")
[[ ${DDNS_TEST_ASAN:-1} == 0 ]] || variants+=("$base-asan")
for variant in "${variants[@]}"; do
	step "configure and build ($variant)"
	opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
	[[ $variant == *-asan ]] && opts+=(-DDDNS_SANITIZE=ON)
	cmake -S "$root" -B "$root/$variant" "${opts[@]}" >/dev/null
	cmake --build "$root/$variant" -j"$jobs"
done

step "services"
state=$(mktemp -d /tmp/ddnsd-tests.XXXXXX)
chmod 755 "$state"
trap 'svc_purge "$state"' EXIT
svc_pg_start "$state"
svc_bind_start "$state" dyn.test other.test
export DDNS_TEST_PG_STATE=$state DDNS_TEST_BIND_STATE=$state

# Leaks are errors in our code; libraries' one-time allocations are not ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

rc=0
for variant in "${variants[@]}"; do
	step "tests ($variant)"
	ctest --test-dir "$root/$variant" --output-on-failure -j2 \
		--timeout 600 "$@" || rc=1
done
if [[ $rc != 0 ]]; then
	step "FAILED"
else
	step "all tests passed"
fi
exit "$rc"
