#!/bin/sh
# The container image (Dockerfile), built and run with podman where this machine
# allows it: the image grades a solution at full marks and a starter below, and
# the student kit's dev container is built from the same Dockerfile.
# No registry of images is reachable from every machine, so the base image is
# made here with debootstrap from Debian's packages (kept as
# localhost/racecourse-base:bookworm for the next run).
# A machine where podman cannot run a container skips, saying why; a Dockerfile
# that does not build, or an image that grades wrongly, fails.
set -u
cd "$(dirname "$0")/.." || exit 2

base=localhost/racecourse-base:bookworm
image=localhost/racecourse:test
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	printf '  ok    %s\n' "$1"
}
fail() { # NAME [LOG]
	failed=$((failed + 1))
	printf '  FAIL  %s\n' "$1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2" | sed 's/^/        /'
}
skip() {
	echo "  skip  the container image: $1"
	echo "image: $passed passed, $failed failed"
	exit 0
}

sh grader/install-deps.sh image || skip "podman could not be installed here"
command -v podman >/dev/null 2>&1 || skip "no podman here"
# Where this kernel's cgroups mix v1 and v2, crun refuses; runc, without
# cgroup limits of its own, runs (the grader sets its own limits inside).
runtime=""
command -v runc >/dev/null 2>&1 && runtime="--runtime runc"
# The image's limits no higher than this machine's own hard ones.
limits="--ulimit nofile=$(ulimit -Hn):$(ulimit -Hn) --ulimit nproc=4096:4096"

if ! podman image exists "$base" 2>/dev/null; then
	root=$tmp/rootfs
	debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$tmp/debootstrap.log" 2>&1 ||
		skip "no Debian base image could be made here (debootstrap: $(tail -n 1 "$tmp/debootstrap.log"))"
	tar -C "$root" -c . | podman import - "$base" >"$tmp/import.log" 2>&1 ||
		skip "podman cannot import an image here ($(tail -n 1 "$tmp/import.log"))"
	rm -rf "$root"
fi
# shellcheck disable=SC2086
podman $runtime run --rm $limits "$base" true >"$tmp/probe.log" 2>&1 ||
	skip "podman cannot run a container here ($(tail -n 1 "$tmp/probe.log"))"

# Building with chroot isolation needs no cgroups either.
if podman build --isolation chroot --build-arg BASE="$base" -t "$image" . >"$tmp/build.log" 2>&1; then
	ok "the Dockerfile builds, with the kit's own install script"
else
	fail "the Dockerfile builds" "$tmp/build.log"
	echo "image: $passed passed, $failed failed"
	exit 1
fi

# grades NAME DIR WANT_EXIT FULL: FULL is yes (full marks) or no (below)
grades() {
	# shellcheck disable=SC2086
	podman $runtime run --rm $limits "$image" grader/racecourse --stage 03-race "$2" >"$tmp/out" 2>&1
	rc=$?
	score=$(sed -n 's|^Score: \([0-9]*\)/\([0-9]*\) .*|\1 \2|p' "$tmp/out")
	full=no
	[ -n "$score" ] && [ "${score% *}" = "${score#* }" ] && full=yes
	if [ "$rc" -eq "$3" ] && [ -n "$score" ] && [ "$full" = "$4" ]; then ok "$1"; else fail "$1 (exit $rc)" "$tmp/out"; fi
}
grades "in the image, the 03 solution scores full marks with both detectors" solutions/03-race 0 yes
grades "in the image, the 03 starter scores below full" starter/03-race 1 no
# The student's dev container: the same Dockerfile, reached from the kit's .devcontainer.
if grep -q '"dockerfile": *"../Dockerfile"' student-kit/.devcontainer/devcontainer.json &&
   grep -q 'SYS_PTRACE' student-kit/.devcontainer/devcontainer.json; then
	ok "the dev container is built from the kit's Dockerfile, with the ptrace capability"
else
	fail "the dev container is built from the kit's Dockerfile, with the ptrace capability"
fi

echo "image: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
