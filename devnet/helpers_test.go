package devnet

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

func testAddr(i int) string { return fmt.Sprintf("0:%064x", i) }

func bigInt(n int64) *big.Int { return big.NewInt(n) }

type cellT = cell.Cell

func cellBuilder() *cell.Builder { return cell.BeginCell() }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// extMessage is the external inbound message a client sends to dst, with
// its id.
func extMessage(dst string, init *abi.StateInit, body *cell.Cell) ([]byte, [32]byte, error) {
	d, err := cell.ParseAddress(dst)
	if err != nil {
		return nil, [32]byte{}, err
	}
	c, err := abi.NewExternalInMessage(d, init, body).Cell()
	if err != nil {
		return nil, [32]byte{}, err
	}
	return c.ToBOC(), c.Hash(), nil
}

// must is v, for calls that cannot fail on the tests' own inputs.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
