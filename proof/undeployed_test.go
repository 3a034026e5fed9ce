package proof_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/keys"
	"github.com/gosh-sh/sign-cli/proof"
)

// undeployed puts on the world's chain a wallet of kind owned by key that
// has received tokens and never sent any: an uninit account at the
// address its StateInit makes, as the EVER Wallet extension leaves a new
// wallet funded from an exchange. The world's own wallet of that kind
// runs the code, so the network has it to give.
func (w *walletWorld) undeployed(kind contract.WalletKind, key keys.Key) string {
	w.t.Helper()
	acc := realWallet(w.t, kind, key)
	acc = devnet.Account{Address: acc.Address, Type: everos.Uninit, Balance: acc.Balance}
	if err := w.chain.SetAccount(acc); err != nil {
		w.t.Fatal(err)
	}
	return acc.Address
}

// payer is a Deployer paid by the wallet at addr of kind with key.
func (w *walletWorld) payer(addr string, kind contract.WalletKind, key keys.Key) *proof.Deployer {
	d := w.world.deployer(w.client())
	d.Wallet = &proof.Wallet{Address: cell.MustParseAddress(addr), Kind: kind, Key: key}
	return d
}

// walletDeploys counts the wallet's transactions that deployed it, and
// the external messages that reached it with a StateInit.
func (w *walletWorld) walletDeploys(addr string) (deploys, withInit int) {
	w.t.Helper()
	for _, tx := range w.chain.Transactions() {
		if tx.Account != addr {
			continue
		}
		if !tx.Aborted && tx.OrigStatus == everos.Uninit && tx.EndStatus == everos.Active {
			deploys++
		}
		if w.messageHasInit(tx.InMsg) {
			withInit++
		}
	}
	return deploys, withInit
}

// messageHasInit asks the chain, as a client would, whether the message
// carried a StateInit (its code_hash is the StateInit's code's).
func (w *walletWorld) messageHasInit(id string) bool {
	w.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": `query($id:String!){messages(filter:{id:{eq:$id}}){id code_hash}}`, "variables": map[string]any{"id": id}})
	resp, err := http.Post(w.chain.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(raw), id) {
		w.t.Fatalf("message %s not found: %s", id, raw)
	}
	return strings.Contains(string(raw), `"code_hash":"`)
}

// TestUndeployedWallet: a wallet that holds tokens but was never deployed
// pays for proofs when its kind is given: its first message carries its
// StateInit (code from the network, checked against the pinned hash) and
// deploys it, and the next ones do not. On both executors, for both kinds,
// every proof is funded once and deployed once.
func TestUndeployedWallet(t *testing.T) {
	for _, ex := range executorNames {
		for _, kind := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
			t.Run(ex+"/"+kind.String(), func(t *testing.T) {
				w := newWalletWorld(t, ex, kind)
				key := newKey(t)
				addr := w.undeployed(kind, key)
				signer := newKey(t)
				contents := contentsFor(t.Name(), 6)
				d := w.payer(addr, kind, key)
				var l lines
				d.Progress = l.add
				deps, errs := d.DeployAll(t.Context(), signer, contents)
				for i := range contents {
					if errs[i] != nil || deps[i].State == nil {
						t.Fatalf("proof %d: %+v %v\n%s", i, deps[i], errs[i], &l)
					}
				}
				w.checkOnce(t, signer, contents)
				if st := w.status(addr); st != everos.Active {
					t.Fatalf("the wallet is %s after paying", st)
				}
				if deploys, withInit := w.walletDeploys(addr); deploys != 1 || withInit != 1 {
					t.Fatalf("the wallet was deployed %d times by %d messages with a StateInit", deploys, withInit)
				}

				// A later run reads it deployed and sends no StateInit.
				more := contentsFor(t.Name()+" later", 2)
				if _, errs := w.payer(addr, kind, key).DeployAll(t.Context(), signer, more); errs[0] != nil || errs[1] != nil {
					t.Fatal(errs)
				}
				if deploys, withInit := w.walletDeploys(addr); deploys != 1 || withInit != 1 {
					t.Fatalf("after a later run: deployed %d times, %d messages with a StateInit", deploys, withInit)
				}
			})
		}
	}
}

// TestUndeployedWalletLostDeployingMessage: the wallet's deploying message
// is lost. A run that may not resend fails with the message expired; the
// next run reads the wallet again, finds it still undeployed and sends its
// StateInit again; within one run, the replacement carries it too. Nothing
// is paid or deployed twice.
func TestUndeployedWalletLostDeployingMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("lost messages wait for their expiry; skipped with -short")
	}
	for _, ex := range executorNames {
		for _, kind := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
			t.Run(ex+"/"+kind.String(), func(t *testing.T) { testLostDeployingMessage(t, ex, kind) })
		}
	}
}

func testLostDeployingMessage(t *testing.T, ex string, kind contract.WalletKind) {
	w := newWalletWorld(t, ex, kind)
	key := newKey(t)
	addr := w.undeployed(kind, key)
	signer := newKey(t)
	content := digestOf(t.Name())

	w.chain.LoseMessages(1)
	d := w.payer(addr, kind, key)
	d.Resends = -1
	if _, err := d.Deploy(t.Context(), signer, content); !errors.Is(err, everos.ErrMessageExpired) {
		t.Fatalf("a run whose deploying message was lost: %v", err)
	}
	if st := w.status(addr); st != everos.Uninit {
		t.Fatalf("the wallet is %s after its deploying message was lost", st)
	}
	if _, err := w.payer(addr, kind, key).Deploy(t.Context(), signer, content); err != nil {
		t.Fatalf("the next run: %v", err)
	}
	w.checkOnce(t, signer, []string{content})
	if deploys, withInit := w.walletDeploys(addr); deploys != 1 || withInit != 1 {
		t.Fatalf("deployed %d times by %d messages with a StateInit", deploys, withInit)
	}

	// Within one run: the replacement of the lost message.
	key2 := newKey(t)
	addr2 := w.undeployed(kind, key2)
	w.chain.LoseMessages(1)
	var l lines
	d = w.payer(addr2, kind, key2)
	d.Progress = l.add
	if _, err := d.Deploy(t.Context(), signer, content+"2"); err != nil {
		t.Fatalf("a run that resends: %v\n%s", err, &l)
	}
	if !strings.Contains(l.String(), "expired unprocessed") {
		t.Fatalf("nothing was lost: the test proves nothing\n%s", &l)
	}
	w.checkOnce(t, signer, []string{content + "2"})
	if deploys, withInit := w.walletDeploys(addr2); deploys != 1 || withInit != 1 {
		t.Fatalf("resent in one run: deployed %d times by %d messages with a StateInit", deploys, withInit)
	}
}

// TestKilledDeployingBatchIsNotPaidAgain: a run killed while the
// undeployed wallet's first batch (carrying its StateInit) is on its way
// leaves it noted in the proofs' locks; the next run sends that same
// message again, and every address is paid once and the wallet deployed
// once, on both executors.
func TestKilledDeployingBatchIsNotPaidAgain(t *testing.T) {
	for _, ex := range executorNames {
		for _, kind := range []contract.WalletKind{contract.EverWallet, contract.HighloadWalletV2} {
			t.Run(ex+"/"+kind.String(), func(t *testing.T) {
				w := newWalletWorld(t, ex, kind, devnet.WithBlockDelay(700*time.Millisecond))
				key := newKey(t)
				w.wallet, w.giver, w.payKind = w.undeployed(kind, key), key, kind
				signer := newKey(t)
				contents := contentsFor(t.Name(), 6)
				locks := lockDir(t)

				w.interrupted(t, locks, signer, contents, func(kill func()) { kill() })
				w.resumed(t, locks, signer, contents)
				// The next run may read the wallet before the noted batch
				// lands and send its own batch with the StateInit too: a
				// deployed wallet ignores it, and runs the transfers once.
				if deploys, withInit := w.walletDeploys(w.wallet); deploys != 1 || withInit < 1 {
					t.Fatalf("deployed %d times by %d messages with a StateInit", deploys, withInit)
				}
			})
		}
	}
}

// TestUndeployedWalletRefused: what cannot deploy the wallet is refused
// before anything is sent: no kind given, a kind or key that does not make
// the wallet's address, a kind that does not deploy itself, a network
// where no account runs the code, and an endpoint that answers other code
// for the code hash.
func TestUndeployedWalletRefused(t *testing.T) {
	w := newWalletWorld(t, "go", contract.EverWallet)
	key := newKey(t)
	addr := w.undeployed(contract.EverWallet, key)
	// A highload wallet runs on the chain too: the other kind's code is
	// there to be found, and its StateInit is still not the address's.
	if err := w.chain.SetAccount(realWallet(t, contract.HighloadWalletV2, newKey(t))); err != nil {
		t.Fatal(err)
	}
	bare := &walletWorld{world: newWorld(t), kind: contract.EverWallet}
	bareAddr := bare.undeployed(contract.EverWallet, key)

	// A proxy of the world's chain that answers the code query with the
	// giver's code, whose hash is not EverWallet's.
	target, _ := url.Parse(w.chain.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	liar := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte("code_hash:{eq:")) {
			fmt.Fprintf(rw, `{"data":{"accounts":[{"code":%q}]}}`, base64.StdEncoding.EncodeToString(contract.GiverCode().ToBOC()))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(liar.Close)

	tests := []struct {
		name string
		d    *proof.Deployer
		want error
		text string
	}{
		{"no kind", w.payer(addr, contract.WalletUnknown, key), contract.ErrUnknownWallet, "--wallet-type"},
		{"another kind", w.payer(addr, contract.HighloadWalletV2, key), proof.ErrWrongWallet, "does not match the wallet's address"},
		{"another key", w.payer(addr, contract.EverWallet, newKey(t)), proof.ErrWrongWallet, "does not match the wallet's address"},
		{"a multisig", w.payer(addr, contract.SafeMultisig, key), proof.ErrWrongWallet, "not a SafeMultisig"},
		{"no account runs the code", bare.payer(bareAddr, contract.EverWallet, key), contract.ErrNoWalletCode, "no account"},
		{"the endpoint answers other code", func() *proof.Deployer {
			d := w.payer(addr, contract.EverWallet, key)
			d.Client = w.client(liar.URL + "/graphql")
			return d
		}(), contract.ErrNoWalletCode, "not EverWallet's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.Deploy(t.Context(), newKey(t), digestOf(tt.name))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("got %v, want %v saying %q", err, tt.want, tt.text)
			}
		})
	}
	for _, ww := range []*walletWorld{w, bare} {
		for _, tx := range ww.chain.Transactions() {
			if tx.Account == addr {
				t.Fatalf("the wallet ran a transaction: %+v", tx)
			}
		}
	}
	if st := w.status(addr); st != everos.Uninit {
		t.Fatalf("the wallet is %s", st)
	}
}
