#!/usr/bin/env bash
# The sign-cli quick start: a local network and registry, a sample image,
# signed and checked, with nothing from outside this machine.
set -euo pipefail

cli=${SIGN_CLI:-bin/sign-cli}
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

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "1. Start a local devnet: an emulated Everscale network with a funded giver wallet, and a registry holding a sample image"
"$cli" devnet --env-file "$work/devnet.env" >"$work/devnet.log" 2>&1 &
devnet_pid=$!
for _ in $(seq 1 100); do
	[ -s "$work/devnet.env" ] && break
	kill -0 "$devnet_pid" 2>/dev/null || { cat "$work/devnet.log"; exit 1; }
	sleep 0.1
done
[ -s "$work/devnet.env" ] || { echo "devnet did not start"; cat "$work/devnet.log"; exit 1; }
# shellcheck disable=SC1091
. "$work/devnet.env"
echo "network  $SIGN_CLI_NETWORK"
echo "registry $SIGN_CLI_REGISTRY"
echo "wallet   $WALLET (the devnet's giver pays for proofs)"

say "2. Make a signing key (the secret goes to a file with mode 0600, never to the screen)"
run "$cli" keygen --out "$work/signer.keys.json"
signer_public=$(sed -n 's/.*"public": *"\([0-9a-f]*\)".*/\1/p' "$work/signer.keys.json")

say "3. The image to sign, and its manifest digest"
run "$cli" digest "$SIGN_CLI_SAMPLE_IMAGE"

say "4. Sign it: the wallet funds the proof address, the proof contract is deployed, and a cosign signature is pushed next to the image"
run "$cli" sign --secret-file "$work/signer.keys.json" "$SIGN_CLI_SAMPLE_IMAGE"

say "5. Signing again changes nothing: the proof and the signature are already there"
run "$cli" sign --secret-file "$work/signer.keys.json" "$SIGN_CLI_SAMPLE_IMAGE"

say "6. Check it with the signer's public key, on chain and in the registry: verified (exit code 0)"
run "$cli" check --source all "$signer_public" "$SIGN_CLI_SAMPLE_IMAGE"

say "7. Check it without trusting the endpoint: the proof's constructing transaction, its blocks and their validator's signature, back to the devnet's key block (\$SIGN_CLI_TRUST_ANCHOR, from the env file)"
run "$cli" check --trustless "$signer_public" "$SIGN_CLI_SAMPLE_IMAGE"

say "8. Check it with another key: not verified (exit code 1)"
"$cli" keygen --out "$work/other.keys.json" >/dev/null
other_public=$(sed -n 's/.*"public": *"\([0-9a-f]*\)".*/\1/p' "$work/other.keys.json")
set +e
"$cli" check --source all "$other_public" "$SIGN_CLI_SAMPLE_IMAGE"
code=$?
set -e
echo "exit code $code"
[ "$code" = 1 ] || { echo "expected exit code 1"; exit 1; }

say "9. Stop the devnet"
kill -INT "$devnet_pid"
wait "$devnet_pid" || true
devnet_pid=
echo "done: the image was signed on chain and in the registry, and verified."
