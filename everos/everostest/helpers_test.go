package everostest

import (
	"fmt"
	"math/big"
)

func testAddr(i int) string { return fmt.Sprintf("0:%064x", i) }

func bigInt(n int64) *big.Int { return big.NewInt(n) }
