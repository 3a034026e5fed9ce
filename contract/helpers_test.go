package contract

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/internal/nekoton"
	"github.com/gosh-sh/sign-cli/internal/nekoton/nekotontest"
)

// chainTime is the Unix time the executor tests run at.
const chainTime = 1750000000

// executor runs messages on accounts with Everscale's executor (nekoton).
type executor struct {
	t  testing.TB
	nk *nekoton.Bridge
}

func newExecutor(t testing.TB) *executor {
	return &executor{t: t, nk: nekotontest.Start(t)}
}

// fund sends value to addr with bounce=false from outside, returning the
// account after it (uninit, or whatever it was, topped up).
func (e *executor) fund(account string, addr *cell.Address, value uint64, init *cell.Cell, now uint32) string {
	e.t.Helper()
	if account == "" {
		if err := e.nk.CallInto(&account, "makeFullAccountBoc", nil); err != nil {
			e.t.Fatal(err)
		}
	}
	var stateInit any
	if init != nil {
		stateInit = init.ToBase64()
	}
	var msg string
	if err := e.nk.CallInto(&msg, "encodeInternalMessage", nil, addr.String(), false, stateInit, nil, uintString(value)); err != nil {
		e.t.Fatal(err)
	}
	x, err := e.nk.Execute(account, msg, now)
	if err != nil {
		e.t.Fatal(err)
	}
	if x.Rejected {
		e.t.Fatalf("internal message to %s refused with exit code %d", addr, x.ExitCode)
	}
	return x.Account
}

func (e *executor) run(account string, msg *cell.Cell, now uint32) nekoton.Execution {
	e.t.Helper()
	x, err := e.nk.Execute(account, msg.ToBase64(), now)
	if err != nil {
		e.t.Fatal(err)
	}
	return x
}

func (e *executor) txInfo(x nekoton.Execution) nekoton.TransactionInfo {
	e.t.Helper()
	info, err := e.nk.TransactionInfo(x.Transaction.BOC)
	if err != nil {
		e.t.Fatal(err)
	}
	return info
}

// accountState decodes an account BOC with the Go decoder.
func accountState(t testing.TB, account string) *Account {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(account)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := DecodeAccount(raw)
	if err != nil {
		t.Fatalf("decoding account: %v", err)
	}
	return acc
}

func uintString(v uint64) string { return strconv.FormatUint(v, 10) }

// testKey is a deterministic key for seed n.
func testKey(n uint64) ed25519.PrivateKey {
	r := rand.New(rand.NewPCG(n, 0x5eed))
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(r.UintN(256))
	}
	return ed25519.NewKeyFromSeed(seed)
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func seedHex(k ed25519.PrivateKey) string { return hex.EncodeToString(k.Seed()) }

// randomContent is a UTF-8 string of n bytes mixing ASCII and multi-byte
// characters.
func randomContent(r *rand.Rand, n int) string {
	const alphabet = "abcdef0123456789:sha-/._ ABCXYZ"
	multi := []string{"é", "ж", "€", "日", "𝄞"}
	var sb strings.Builder
	for sb.Len() < n {
		if r.IntN(8) == 0 {
			m := multi[r.IntN(len(multi))]
			if sb.Len()+len(m) <= n {
				sb.WriteString(m)
				continue
			}
		}
		sb.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

func hexString(b []byte) string { return hex.EncodeToString(b) }

var (
	constructorID  = constructor().InputID
	giverSendID    = walletSpecs()[LocalGiver].send.InputID
	multisigSendID = walletSpecs()[SafeMultisig].send.InputID
)
