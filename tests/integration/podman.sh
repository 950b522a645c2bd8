# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# tests/integration/podman.sh - rootful podman for the image and package
# tests, on a machine that reaches no image registry.
#
#   pm_usable                 true when podman can run a container here;
#                             else prints why on stderr
#   pm_base_image             make docker.io/library/debian:12 and :12-slim
#                             (debootstrap --variant=minbase bookworm from
#                             the machine's own Debian mirror), cached
#   pm ARGS...                podman with the OCI runtime that works here
#   pm_run ARGS...            podman run with the sandbox's ulimits
#   pm_smoke                  true when a container from the base image runs
#
# The base image is imported once into podman's store; its root tarball is
# kept in PM_CACHE (default /var/cache/ddnsd-test) so that a wiped store is
# refilled in seconds. Containers get --ulimit nofile/nproc 4096: podman's
# default raises RLIMIT_NPROC, which this sandbox denies.

PM_CACHE=${PM_CACHE:-/var/cache/ddnsd-test}
PM_ULIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
PM_BASE=docker.io/library/debian

_pm_log() { printf 'podman.sh: %s\n' "$*" >&2; }

# The first URIs: line of the Debian (not security) source.
_pm_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources m=
	[[ ! -r $f ]] || m=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$f")
	[[ -z $m ]] || { printf '%s\n' "$m"; return 0; }
	m=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
	printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

# crun refuses this machine's hybrid cgroup layout (v1 controllers plus a
# cgroup2 mount that has one); runc runs containers on it.
PM_RUNTIME=${PM_RUNTIME:-$(command -v runc >/dev/null && echo runc || echo crun)}

# pm ARGS...: podman with the runtime that works here.
pm() { podman --runtime "$PM_RUNTIME" "$@"; }

pm_run() { pm run "${PM_ULIMITS[@]}" "$@"; }

# pm_usable: podman installed, we are root, and a container can run.
pm_usable() {
	command -v podman >/dev/null || { _pm_log "podman is not installed"; return 1; }
	[[ $(id -u) == 0 ]] || { _pm_log "not root: the tests use rootful podman"; return 1; }
	podman info >/dev/null 2>"${TMPDIR:-/tmp}/pm_info.$$" || {
		_pm_log "podman info failed: $(head -n 3 "${TMPDIR:-/tmp}/pm_info.$$")"
		rm -f "${TMPDIR:-/tmp}/pm_info.$$"
		return 1
	}
	rm -f "${TMPDIR:-/tmp}/pm_info.$$"
}

# pm_base_image: the Debian 12 base under both tags, from the store, the
# cached tarball, or a fresh debootstrap (a few minutes, once per machine).
pm_base_image() {
	local tar=$PM_CACHE/debian-12-minbase.tar root mirror
	if podman image exists "$PM_BASE:12-slim" && podman image exists "$PM_BASE:12"; then
		return 0
	fi
	mkdir -p "$PM_CACHE" || return 1
	if [[ ! -s $tar ]]; then
		command -v debootstrap >/dev/null || { _pm_log "debootstrap is not installed"; return 1; }
		mirror=$(_pm_mirror)
		root=$(mktemp -d "$PM_CACHE/root.XXXXXX") || return 1
		_pm_log "debootstrap --variant=minbase bookworm from $mirror (once; cached in $tar)"
		if ! debootstrap --variant=minbase bookworm "$root" "$mirror" \
			>"$PM_CACHE/debootstrap.log" 2>&1; then
			tail -n 5 "$PM_CACHE/debootstrap.log" >&2
			rm -rf "$root"
			_pm_log "debootstrap failed, see $PM_CACHE/debootstrap.log"
			return 1
		fi
		# As the official image: no apt caches; deb822 sources with the
		# updates and security suites (this machine's, when it has them).
		rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
		if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
			rm -f "$root/etc/apt/sources.list"
			cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
		fi
		if ! tar -C "$root" -cf "$tar.tmp" . || ! mv -f "$tar.tmp" "$tar"; then
			rm -rf "$root" "$tar.tmp"
			return 1
		fi
		rm -rf "$root"
	fi
	pm import "$tar" "$PM_BASE:12-slim" >/dev/null || return 1
	podman tag "$PM_BASE:12-slim" "$PM_BASE:12" || return 1
	_pm_log "imported $tar as $PM_BASE:12-slim and :12"
}

# pm_smoke: a container of the base image runs; else prints podman's error.
pm_smoke() {
	local out
	out=$(pm_run --rm --network none "$PM_BASE:12-slim" true 2>&1) || {
		_pm_log "a container does not run here: ${out:0:300}"
		return 1
	}
}
