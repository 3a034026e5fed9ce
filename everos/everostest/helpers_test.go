package everostest

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

func testAddr(i int) string { return fmt.Sprintf("0:%064x", i) }

func bigInt(n int64) *big.Int { return big.NewInt(n) }

type cellT = cell.Cell

func cellBuilder() *cell.Builder { return cell.BeginCell() }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
