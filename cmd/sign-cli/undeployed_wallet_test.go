package main

import (
	"bytes"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/devnet/contracts"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
	"github.com/gosh-sh/sign-cli/keys"
)

// TestSignFromUndeployedWallet: `sign` pays from an EverWallet that holds
// tokens but was never deployed (as the EVER Wallet extension leaves one
// funded from an exchange) when --wallet-type names its kind: its first
// transfer deploys it, with the code the devnet serves for the kind's
// hash. Without the kind, or with a key that does not make the wallet's
// address, it says so on one line with exit code 2 and sends nothing; an
// endpoint that answers other code for the kind's hash is a failure (exit
// code 3) and nothing is sent. On both executors.
func TestSignFromUndeployedWallet(t *testing.T) {
	for _, ex := range executors {
		t.Run(ex, func(t *testing.T) {
			// The devnet's own EverWallet runs the code the network serves.
			w := newWorldWallet(t, ex, nil, "everwallet")
			owner, err := keys.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			code, err := contract.EverWallet.WalletCode(nekotontest.NodeModules(t))
			if err != nil {
				t.Fatal(err)
			}
			acc, err := contracts.RealWalletAccount(contract.EverWallet, code, owner.Public().Ed25519(), big.NewInt(1000e9))
			if err != nil {
				t.Fatal(err)
			}
			wallet := acc.Address
			if err := w.chain.SetAccount(devnet.Account{Address: wallet, Type: everos.Uninit, Balance: acc.Balance}); err != nil {
				t.Fatal(err)
			}
			env := w.env()
			env["WALLET"], env["WALLET_SECRET"], env["WALLET_PUBLIC"] = wallet, owner.SecretHex(), owner.Public().String()
			signer, keyPath := w.keyFile("signer.json")
			content := digestOf(t.Name())
			sign := func(env map[string]string, extra ...string) result {
				args := append([]string{"sign", "--secret-file", keyPath, "--no-registry", "--timeout", "1m"}, extra...)
				return runCLI(t, env, "", append(args, content)...)
			}

			noKind := sign(env)
			noKind.wantError(t, exitUsage, "wallet "+wallet+" is not deployed yet", "--wallet-type")
			stranger := map[string]string{}
			for k, v := range env {
				stranger[k] = v
			}
			other, _ := keys.GenerateKey(nil)
			stranger["WALLET_SECRET"] = other.SecretHex()
			mismatch := sign(stranger, "--wallet-type", "everwallet")
			mismatch.wantError(t, exitUsage, "wallet "+wallet+" is not deployed yet", "does not match the wallet's address")
			for _, r := range []result{noKind, mismatch} {
				if n := strings.Count(r.stderr, wallet); n != 1 {
					t.Errorf("the error names the wallet %d times: %s", n, r.stderr)
				}
			}
			for _, tx := range w.chain.Transactions() {
				if tx.Account == wallet {
					t.Fatalf("a refused run made the wallet run a transaction: %+v", tx)
				}
			}

			// An endpoint that answers the code query with other code is
			// not believed: a network failure, and nothing is sent.
			target, _ := url.Parse(w.chain.URL)
			proxy := httputil.NewSingleHostReverseProxy(target)
			liar := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if bytes.Contains(body, []byte("code_hash:{eq:")) {
					fmt.Fprintf(rw, `{"data":{"accounts":[{"code":%q}]}}`, contract.GiverCode().ToBase64())
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				proxy.ServeHTTP(rw, r)
			}))
			defer liar.Close()
			lied := map[string]string{}
			for k, v := range env {
				lied[k] = v
			}
			lied["SIGN_CLI_NETWORK"] = liar.URL + "/graphql"
			sign(lied, "--wallet-type", "everwallet").wantError(t, exitFailure, "not EverWallet's")
			for _, tx := range w.chain.Transactions() {
				if tx.Account == wallet {
					t.Fatalf("a run given other code made the wallet run a transaction: %+v", tx)
				}
			}

			r := sign(env, "--wallet-type", "EverWallet")
			if r.code != 0 {
				t.Fatalf("sign: %+v", r)
			}
			if !strings.Contains(r.stderr, "carries its StateInit") {
				t.Errorf("no progress line says the wallet is deployed: %s", r.stderr)
			}
			if a, ok := w.chain.Account(wallet); !ok || a.Type != everos.Active {
				t.Fatalf("the wallet after sign: %+v", a)
			}
			if r := runCLI(t, w.env(), "", "check", "--source", "chain", signer.Public().String(), content); r.code != 0 {
				t.Fatalf("check: %+v", r)
			}
			// Deployed now: its kind is read from its code again.
			content = digestOf(t.Name() + " again")
			if r := sign(env); r.code != 0 || strings.Contains(r.stderr, "StateInit") {
				t.Fatalf("sign from the deployed wallet: %+v", r)
			}
		})
	}
}
