#!/bin/sh
# Hostile submissions (tests/hostile/*/): each must be graded, contained and
# cleaned up in every sandbox mode: its score no higher than its honest tests
# allow, the grader alive (exit 1), no process of it left, nothing written
# outside its scratch directory and nothing left in it, no connection out,
# every run within its limits.
#
# Usage: tests/hostile.sh [NAME...]   (default: every entry)
# As root: bwrap and fallback as root, then both again as the user nobody
# (on a copy of the kit that nobody owns).  As another user: both as that user.
# HOSTILE_JOBS=n gradings at a time (default 3: most of a hostile run is
# waiting for a time limit); entries marked "alone" run by themselves.
# GRADER=path picks the grader (default grader/racecourse).
set -u
cd "$(dirname "$0")/.."
kitroot=$(pwd)
grader=${GRADER:-grader/racecourse}
case $grader in /*) ;; *) grader=$kitroot/$grader ;; esac
margin=15		# seconds a run may take beyond the sum of its limits
tab=$(printf '\t')

# prepare KIT DEST HOME: the entries, with the kit's and their own paths
# written in, and what student code cannot get from the grader's environment
# (the sandbox gives it a fixed one): @PORT@ the listener's port, @HOME@ a
# home with a private file in it, @CANARY@ the entry's canary name.
# NAME.symlink becomes a symbolic link NAME to the path it holds; `secret`
# lists words (no spaces) that the report must never quote.
prepare() {
	for dir in tests/hostile/*/; do
		name=$(basename "$dir")
		mkdir -p "$2/$name"
		for f in "$dir"*; do
			case $f in
			*.c) sed -e "s|@KIT@|$1|g" -e "s|@SUB@|$2/$name|g" -e "s|@PORT@|$RC_HOSTILE_PORT|g" \
				-e "s|@HOME@|$3|g" -e "s|@CANARY@|$(canary_of "$name")|g" \
				"$f" >"$2/$name/$(basename "$f")" ;;
			*.symlink) ln -sfn "$(sed -e "s|@KIT@|$1|g" "$f")" "$2/$name/$(basename "$f" .symlink)" ;;
			*) cp "$f" "$2/$name/" ;;
			esac
		done
	done
}

# canary_of NAME: the name an entry's canaries have (files, the listener's
# log); the same in the jobs this script runs of itself (--one).
: "${HOSTILE_RUN_ID:=$$}"
export HOSTILE_RUN_ID
canary_of() {
	echo "racecourse-hostile-canary-$HOSTILE_RUN_ID-$1"
}

# make_home: a home directory with a private file in it, outside /tmp (which
# bubblewrap replaces), as /root or /home/x would be.  Prints its path.
make_home() {
	h=$(mktemp -d /var/tmp/racecourse-hostile-home.XXXXXX) || exit 2
	echo secret >"$h/racecourse-hostile-secret"
	chmod 600 "$h/racecourse-hostile-secret"
	echo "$h"
}

# config LABEL: where a mode's kit, submissions, home and runs are.
config() {
	label=$1 sandbox=${1%-*} who=${1#*-}
	if [ "$who" = root ]; then
		kit=$kitroot subs=$out/root/subs home=$HOSTILE_HOME_ROOT
	else
		kit=$out/user/kit subs=$out/user/subs home=$HOSTILE_HOME_USER
	fi
	base=$out/$who/runs/$label
}

# run_one NAME: grades one entry in the current mode and checks what it did.
# Writes the report's lines to $base/NAME.txt and "STATUS MS LIMIT" to
# $base/NAME.res (STATUS: passed, failed, known or skipped).
run_one() {
	name=$1 txt=$base/$1.txt res=$base/$1.res
	plan=$("$check" plan "$subs/$name/expect.json" "$label" "$kit" "$(cat "$out/$label.cgroup")") || {
		printf '  FAIL  %s: its expect.json is not right\n' "$name" >"$txt"
		echo "failed 0 0" >"$res"
		return
	}
	IFS=$tab read -r stage detectors scale limit allowed alone admit action why <<EOF
$plan
EOF
	if [ "$action" = skip ]; then
		printf '  skip  %s: not run as %s: %s\n' "$name" "$label" "$why" >"$txt"
		echo "skipped 0 0" >"$res"
		return
	fi
	tmp=$base/$name
	mkdir -p "$tmp/tmp"
	canary=$(canary_of "$name")
	[ "$admit" = - ] && admit=
	places="/tmp /var/tmp /dev/shm $home $kit $kit/starter/$stage $subs/$name"
	for d in $places; do rm -f "$d/$canary"; done

	# A grader that hangs is stopped here, at its limits and the margin.
	# NAME/env: VAR=value lines the grader gets (smaller caps, for speed).
	t0=$(date +%s%N)
	TMPDIR="$tmp/tmp" HOME="$home" RC_HOSTILE_CANARY="$canary" env $(cat "$subs/$name/env" 2>/dev/null) \
		timeout -k 5 $((limit + margin)) "$grader" --kit "$kit" --sandbox "$sandbox" --stage "$stage" --detectors "$detectors" $admit \
		--timeout-scale "$scale" --format json --out "$tmp/result.json" "$subs/$name" \
		>"$tmp/output" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))

	# Each problem line starts with the name of its check, for known_checks.
	: >"$tmp/problems"
	case $rc in
	0|1) "$check" verdict "$subs/$name/expect.json" "$tmp/result.json" "$label" >"$tmp/verdict" 2>&1 ||
		cat "$tmp/verdict" >>"$tmp/problems" ;;
	124|137) printf 'exit: the grader did not end within its limits (%s s + %s s): stopped\n' \
		"$limit" "$margin" >>"$tmp/problems" ;;
	*) printf 'exit: the grader exited with %s (1 is graded): %s\n' "$rc" \
		"$(tail -n 3 "$tmp/output" | tr '\n' ' ' | cut -c1-300)" >>"$tmp/problems" ;;
	esac
	# The grader's environment, or the hidden tests' words, quoted back in the report.
	for secret in "$canary" $(cat "$subs/$name/secret" 2>/dev/null); do
		if [ -f "$tmp/result.json" ] && grep -q -F -- "$secret" "$tmp/result.json"; then
			echo "leak: the report quotes \"$secret\", which the student must not see" \
				>>"$tmp/problems"
		fi
	done
	"$check" procs "$tmp" "RC_HOSTILE_CANARY=$canary" >>"$tmp/problems" 2>&1
	# The grader's temporary folder holds only its scratch folders, all removed.
	left=$(find "$tmp/tmp" -mindepth 1 -maxdepth 2 2>/dev/null | head -n 3 | tr '\n' ' ')
	if [ -n "$left" ]; then
		echo "files: left in the grader's temporary folder: $left" >>"$tmp/problems"
		chmod -R u+rwx "$tmp/tmp" 2>/dev/null
	fi
	for d in $places; do
		if [ -e "$d/$canary" ]; then
			echo "canary: it wrote $d/$canary" >>"$tmp/problems"
			rm -f "$d/$canary"
		fi
	done
	if grep -q -F "$canary" "$listen_log"; then
		echo "network: the listener on 127.0.0.1:$RC_HOSTILE_PORT got a connection" >>"$tmp/problems"
	fi
	if [ "$ms" -gt $(((limit + margin) * 1000)) ]; then
		echo "time: it took $((ms / 1000)) s, more than its limits allow ($limit s + $margin s)" \
			>>"$tmp/problems"
	fi

	figures=$(printf '%d.%d s of %d s' $((ms / 1000)) $((ms % 1000 / 100)) "$limit")
	unexpected=$(cut -d: -f1 "$tmp/problems" | sort -u | while read -r c; do
		case ",$allowed," in *",$c,"*) ;; *) echo "$c" ;; esac
	done)
	if [ ! -s "$tmp/problems" ] && [ "$action" = run ]; then
		status=passed
		printf '  ok    %-20s %-7s %s\n' "$name" "$(head -n 1 "$tmp/verdict")" "$figures"
	elif [ -s "$tmp/problems" ] && [ "$action" = known ] && [ -z "$unexpected" ]; then
		status=known
		printf '  known %-20s %s: %s\n' "$name" "$figures" "$why"
		sed 's/^/          /' "$tmp/problems"
	elif [ "$action" = known ] && [ ! -s "$tmp/problems" ]; then
		status=failed
		printf '  FAIL  %-20s %s: contained, yet marked known as %s: remove the mark\n' \
			"$name" "$figures" "$label"
	else
		status=failed
		printf '  FAIL  %-20s %s\n' "$name" "$figures"
		sed 's/^/          /' "$tmp/problems"
	fi >"$txt"
	echo "$status $ms $limit" >"$res"
}

if [ "${1:-}" = --one ]; then
	# One grading, as a job of the pool below: --one LABEL NAME.
	out=$HOSTILE_OUT check=$out/bin/hostile_check listen_log=$out/listen.log
	config "$2"
	if [ "$who" = user ] && [ "$(id -u)" -eq 0 ]; then
		exec setpriv --reuid=65534 --regid=65534 --clear-groups sh tests/hostile.sh --one "$2" "$3"
	fi
	run_one "$3"
	exit 0
fi

names=${*:-$(cd tests/hostile && for d in */; do [ -f "$d/expect.json" ] && printf '%s ' "${d%/}"; done)}
out=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-hostile.XXXXXX") || exit 2
chmod 755 "$out"
listener= HOSTILE_HOME_ROOT= HOSTILE_HOME_USER=
trap '[ -n "$listener" ] && kill "$listener" 2>/dev/null
	rm -rf $HOSTILE_HOME_ROOT $HOSTILE_HOME_USER
	[ -n "${HOSTILE_KEEP:-}" ] || rm -rf "$out"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$out/bin"
cc -std=c11 -Wall -Wextra -O2 -o "$out/bin/hostile_check" tests/hostile_check.c -ljansson &&
	cc -std=c11 -Wall -Wextra -O2 -o "$out/bin/listen" tests/hostile/listen.c || exit 2
check=$out/bin/hostile_check
listen_log=$out/listen.log
: >"$listen_log"
chmod 644 "$listen_log"
set -- $("$out/bin/listen" "$listen_log") || exit 2
listener=$2
export RC_HOSTILE_PORT="$1" HOSTILE_OUT="$out" HOSTILE_HOME_ROOT HOSTILE_HOME_USER

# Root grades as root and as nobody; another user as itself.  The ordinary
# user gets a kit of its own, which it could write: the sandbox must stop it.
mkdir -p "$out/user/kit" "$out/user/runs"
tar -C "$kitroot" --exclude=./.git --exclude=./build -cf - . | tar -C "$out/user/kit" -xf -
HOSTILE_HOME_USER=$(make_home)
prepare "$out/user/kit" "$out/user/subs" "$HOSTILE_HOME_USER"
if [ "$(id -u)" -eq 0 ]; then
	modes="bwrap-root fallback-root bwrap-user fallback-user"
	HOSTILE_HOME_ROOT=$(make_home)
	prepare "$kitroot" "$out/root/subs" "$HOSTILE_HOME_ROOT"
	chown -R 65534:65534 "$out/user" "$HOSTILE_HOME_USER"
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	modes="bwrap-user fallback-user"
	as_user=
fi

# The modes that work here (bubblewrap needs user namespaces), and the jobs.
corpus_started=$(date +%s)
: >"$out/pool" && : >"$out/alone"
runnable=
for label in $modes; do
	config "$label"
	run_as=
	[ "$who" = user ] && run_as=$as_user
	$run_as mkdir -p "$base/probe/empty"
	if [ "$sandbox" = bwrap ]; then
		if ! $run_as env TMPDIR="$base/probe" "$grader" --kit "$kit" --sandbox bwrap \
			--stage 03-race --format json --out /dev/null "$base/probe/empty" \
			>/dev/null 2>"$out/probe.err" && grep -q bubblewrap "$out/probe.err"; then
			printf '%s: NOT RUN, bubblewrap does not work here: %s\n' "$label" \
				"$(head -n 1 "$out/probe.err")" >"$out/$label.notrun"
			continue
		fi
	fi
	# The grading's cgroup, as this user in this mode: entries that need one are known without.
	$run_as env TMPDIR="$base/probe" "$grader" --kit "$kit" --sandbox "$sandbox" --sandbox-info \
		2>/dev/null | sed -n 's/^resources: //p' >"$out/$label.cgroup"
	chmod 644 "$out/$label.cgroup"
	runnable="$runnable $label"
	for name in $names; do
		plan=$("$check" plan "tests/hostile/$name/expect.json" "$label" "$kit") || plan=
		case $plan in
		*"${tab}alone$tab"*) echo "$label $name" >>"$out/alone" ;;
		*) echo "$label $name" >>"$out/pool" ;;
		esac
	done
done
echo "hostile: $(wc -l <"$out/pool") gradings, ${HOSTILE_JOBS:-3} at a time, then $(wc -l <"$out/alone") alone"
xargs -r -P "${HOSTILE_JOBS:-3}" -n 2 sh tests/hostile.sh --one <"$out/pool"
while read -r label name; do
	sh tests/hostile.sh --one "$label" "$name"
done <"$out/alone"

# The report, mode by mode, in the entries' order.
passed=0 failed=0 known=0 skipped=0 all_limits=0
for label in $modes; do
	config "$label"
	if [ -f "$out/$label.notrun" ]; then
		cat "$out/$label.notrun"
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$who" = root ]; then
		user=root
	elif [ -n "$as_user" ]; then
		user=$(id -un 65534)
	else
		user=$(id -un)
	fi
	echo "$label (--sandbox $sandbox as $user)"
	runs=0 ms_sum=0 limit_sum=0
	for name in $names; do
		if [ ! -f "$base/$name.res" ]; then
			printf '  FAIL  %s: no result (the job did not finish)\n' "$name"
			failed=$((failed + 1))
			continue
		fi
		cat "$base/$name.txt"
		read -r status ms limit <"$base/$name.res"
		case $status in
		passed) passed=$((passed + 1)) ;;
		known) known=$((known + 1)) ;;
		skipped) skipped=$((skipped + 1)) ;;
		*) failed=$((failed + 1)) ;;
		esac
		[ "$status" = skipped ] || runs=$((runs + 1))
		ms_sum=$((ms_sum + ms)) limit_sum=$((limit_sum + limit))
	done
	printf '%s: %d runs, %d.%d s of grading; the sum of their limits is %d s\n' "$label" "$runs" \
		$((ms_sum / 1000)) $((ms_sum % 1000 / 100)) "$limit_sum"
	all_limits=$((all_limits + limit_sum))
done
took=$(($(date +%s) - corpus_started))
echo "hostile: the whole corpus took $took s ($(echo $runnable | wc -w) modes, ${HOSTILE_JOBS:-3} at a time); the sum of its limits is $all_limits s"
if [ "$took" -gt $((all_limits + margin)) ]; then
	echo "hostile: FAIL: the corpus took longer than the sum of its limits and $margin s"
	failed=$((failed + 1))
fi
if [ "$skipped" -gt 0 ] || [ "$known" -gt 0 ]; then
	echo "hostile: $known runs showed a known problem, $skipped were not run (see above)"
fi
echo "hostile: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
