#!/usr/bin/env bash
# End-to-end speed of sign-cli against its peers, in one run on loopback:
# starts `sign-cli devnet`, pushes random images to its registry, and times
#   - check of one image (chain, registry, all) against `cosign verify`,
#   - one check of N_CHECK images against N_CHECK separate checks,
#   - sign of one image and of N_SIGN images,
# with the HTTP requests and connections each made (SIGN_CLI_TRACE_REQUESTS).
# Needs Go; cosign is built from the Go module proxy into .tools/bin when
# missing. Results are printed as a Markdown table (see docs/benchmarks.md).
set -euo pipefail

cd "$(dirname "$0")/.."
N_CHECK=${N_CHECK:-1000}
N_SIGN=${N_SIGN:-100}
REPEAT=${REPEAT:-10}
COSIGN_VERSION=v2.6.5
cli=bin/sign-cli
cosign=.tools/bin/cosign

# sign-cli as make build writes it: lean, so that each run starts as a user's does.
go build -tags lean -o bin/sign-cli ./cmd/sign-cli
go build -o bin/ ./scripts/pushimages
if [ ! -x "$cosign" ]; then
	echo "building cosign $COSIGN_VERSION into .tools/bin (a few minutes)" >&2
	GOBIN=$PWD/.tools/bin go install "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION"
fi

work=$(mktemp -d)
devnet_pid=
cleanup() {
	if [ -n "$devnet_pid" ]; then
		kill -INT "$devnet_pid" 2>/dev/null || true
		wait "$devnet_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

"$cli" devnet --no-sample-image --env-file "$work/devnet.env" >"$work/devnet.log" 2>&1 &
devnet_pid=$!
for _ in $(seq 1 100); do
	[ -s "$work/devnet.env" ] && break
	kill -0 "$devnet_pid" 2>/dev/null || { cat "$work/devnet.log" >&2; exit 1; }
	sleep 0.1
done
# shellcheck disable=SC1091
. "$work/devnet.env"

bin/pushimages -registry "$SIGN_CLI_REGISTRY" -n "$N_CHECK" >"$work/images.tsv"
cut -f1 "$work/images.tsv" >"$work/tags.txt"
cut -f2 "$work/images.tsv" >"$work/digests.txt"
head -n "$N_SIGN" "$work/tags.txt" >"$work/sign.txt"
one_tag=$(head -n1 "$work/tags.txt")
one_digest=$(head -n1 "$work/digests.txt")

"$cli" keygen --out "$work/signer.keys.json" >/dev/null 2>&1
signer=$(sed -n 's/.*"public": *"\([0-9a-f]*\)".*/\1/p' "$work/signer.keys.json")
"$cli" pubkey --pem "$signer" >"$work/signer.pub"

# now_ms prints a monotonic-enough wall clock in milliseconds.
now_ms() { date +%s%3N; }

# timed NAME REPEAT CMD...: runs CMD REPEAT times (output discarded, exit
# codes 0 and 1 accepted) and records the mean time in ms.
declare -A ms
timed() {
	local name=$1 n=$2
	shift 2
	local start end code
	start=$(now_ms)
	for _ in $(seq 1 "$n"); do
		code=0
		"$@" >/dev/null 2>"$work/err" || code=$?
		if [ "$code" -gt 1 ]; then
			echo "$name: exit code $code: $(tail -n1 "$work/err")" >&2
			exit 1
		fi
	done
	end=$(now_ms)
	ms[$name]=$(awk -v t=$((end - start)) -v n="$n" 'BEGIN { printf "%.1f", t / n }')
}

# requests NAME CMD...: runs CMD once with request tracing and keeps the
# counts sign-cli printed.
declare -A req
requests() {
	local name=$1
	shift
	SIGN_CLI_TRACE_REQUESTS=1 "$@" 2>"$work/trace" >/dev/null || true
	req[$name]=$(grep '^requests ' "$work/trace" | sed 's/^requests //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
}

net_host=${SIGN_CLI_NETWORK#http://}
net_host=${net_host%%/*}
label() { sed "s/$net_host/graphql/; s/$SIGN_CLI_REGISTRY/registry/"; }

# Sign: one image, then N_SIGN (the first one is already done, so N_SIGN-1
# are new; the first stays as cheap as an already-signed image).
requests sign1 "$cli" sign -q --secret-file "$work/signer.keys.json" "$one_tag"
requests resign1 "$cli" sign -q --secret-file "$work/signer.keys.json" "$one_tag"
start=$(now_ms)
SIGN_CLI_TRACE_REQUESTS=1 "$cli" sign -q --secret-file "$work/signer.keys.json" $(cat "$work/sign.txt") \
	>/dev/null 2>"$work/trace" || { tail -n3 "$work/trace" >&2; exit 1; }
ms[signN]=$(($(now_ms) - start))
req[signN]=$(grep '^requests ' "$work/trace" | sed 's/^requests //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
# A fresh single image for the time of one sign.
bin/pushimages -registry "$SIGN_CLI_REGISTRY" -n 1 -prefix bench/single >"$work/single.tsv"
single=$(cut -f1 "$work/single.tsv")
start=$(now_ms)
"$cli" sign -q --secret-file "$work/signer.keys.json" "$single" >/dev/null
ms[sign1]=$(($(now_ms) - start))

# Check of one image against cosign verify.
export SIGSTORE_REKOR_PUBLIC_KEY=$work/signer.pub TUF_ROOT=$work/tuf
timed cosign "$REPEAT" "$cosign" verify --key "$work/signer.pub" --insecure-ignore-tlog=true --allow-http-registry "$one_digest"
# cosign's requests, from its debug log of go-containerregistry's transport.
"$cosign" verify -d --key "$work/signer.pub" --insecure-ignore-tlog=true --allow-http-registry "$one_digest" >"$work/cosign.log" 2>&1 || true
req[cosign]="registry: $(grep -c -- '--> [A-Z]' "$work/cosign.log") ($(grep -o -- '--> [A-Z]*' "$work/cosign.log" | sort | uniq -c | awk '{printf "%s%s %s", sep, $3, $1; sep=", "}'))"
for src in chain registry all; do
	timed "check_$src" "$REPEAT" "$cli" check --source "$src" "$signer" "$one_digest"
	requests "check_$src" "$cli" check --source "$src" "$signer" "$one_digest"
	timed "check_${src}_tag" "$REPEAT" "$cli" check --source "$src" "$signer" "$one_tag"
	requests "check_${src}_tag" "$cli" check --source "$src" "$signer" "$one_tag"
done

# One check of N_CHECK images against N_CHECK checks of one.
for src in chain all; do
	timed "batch_$src" 1 "$cli" check --source "$src" --public "$signer" --from-file "$work/digests.txt"
	requests "batch_$src" "$cli" check --source "$src" --public "$signer" --from-file "$work/digests.txt"
done
start=$(now_ms)
while read -r d; do
	code=0
	"$cli" check "$signer" "$d" >/dev/null 2>&1 || code=$?
	[ "$code" -le 1 ] || { echo "separate check of $d: exit $code" >&2; exit 1; }
done <"$work/digests.txt"
ms[separate]=$(($(now_ms) - start))

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

cat <<TABLE | label
| measurement | time (ms) | ratio | requests (HTTP requests by host, new connections) |
| --- | ---: | ---: | --- |
| cosign verify --key, one image by digest (mean of $REPEAT) | ${ms[cosign]} | 1 | ${req[cosign]} |
| check --source chain, one image by digest | ${ms[check_chain]} | cosign / check = $(ratio "${ms[cosign]}" "${ms[check_chain]}") | ${req[check_chain]} |
| check --source registry, one image by digest | ${ms[check_registry]} | cosign / check = $(ratio "${ms[cosign]}" "${ms[check_registry]}") | ${req[check_registry]} |
| check --source all, one image by digest | ${ms[check_all]} | cosign / check = $(ratio "${ms[cosign]}" "${ms[check_all]}") | ${req[check_all]} |
| check --source chain, one image by tag | ${ms[check_chain_tag]} | | ${req[check_chain_tag]} |
| check --source registry, one image by tag | ${ms[check_registry_tag]} | | ${req[check_registry_tag]} |
| check --source all, one image by tag | ${ms[check_all_tag]} | | ${req[check_all_tag]} |
| check --source chain, $N_CHECK images in one run | ${ms[batch_chain]} | separate / batched = $(ratio "${ms[separate]}" "${ms[batch_chain]}") | ${req[batch_chain]} |
| check --source all, $N_CHECK images in one run | ${ms[batch_all]} | | ${req[batch_all]} |
| check --source chain, $N_CHECK separate runs | ${ms[separate]} | 1 | |
| sign, one new image by tag | ${ms[sign1]} | | ${req[sign1]} |
| sign again, the same image (nothing to do) | | | ${req[resign1]} |
| sign, $N_SIGN images by tag in one run (1 already signed) | ${ms[signN]} | per image $(ratio "${ms[signN]}" "$N_SIGN") ms | ${req[signN]} |
TABLE
