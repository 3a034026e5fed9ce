#!/bin/sh
# inittime.sh: how long a binary's package initialization takes, from the
# Go runtime's own trace (GODEBUG=inittrace=1).
#
#   scripts/inittime.sh [BINARY [RUNS [TOP]]]
#
# Runs `BINARY version` RUNS times (default bin/sign-cli, 21 runs) and prints
# the median of the summed init times, then the TOP (default 15) packages by
# their median init time. Medians, because the machine's other work makes
# single runs vary by several times.
set -eu
bin=${1:-bin/sign-cli}
runs=${2:-21}
top=${3:-15}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
i=0
while [ "$i" -lt "$runs" ]; do
	GODEBUG=inittrace=1 "$bin" version 2>&1 >/dev/null |
		awk -v run="$i" '$1 == "init" { print run, $2, $5 }' >>"$tmp"
	i=$((i + 1))
done
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
total=$(awk '{ s[$1] += $3 } END { for (r in s) print s[r] }' "$tmp" | median)
count=$(awk '$1 == 0' "$tmp" | wc -l)
printf 'init total, median of %d runs: %.2f ms (%d packages)\n' "$runs" "$total" "$count"
for p in $(awk '{ print $2 }' "$tmp" | sort -u); do
	printf '%s %s\n' "$(awk -v p="$p" '$2 == p { print $3 }' "$tmp" | median)" "$p"
done | sort -rn >"$tmp.pkg"
awk '{ s += $1 } END { printf "sum of the packages'"'"' medians: %.2f ms\n", s }' "$tmp.pkg"
head -n "$top" "$tmp.pkg"
rm -f "$tmp.pkg"
