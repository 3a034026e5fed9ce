package everos

import (
	"fmt"
	"time"

	"github.com/tidwall/gjson"
)

// Transaction is the outcome of a message as the API reports it.
type Transaction struct {
	ID    string // hex hash of the transaction
	InMsg string // hex hash of the inbound message
	// Aborted is set when the transaction failed: the compute or action
	// phase did not succeed, and its state changes were rolled back.
	Aborted bool
	// Status: 0 unknown, 1 preliminary, 2 proposed, 3 finalized, 4 refused.
	Status    int
	Now       time.Time // block time of the transaction
	Lt        uint64
	EndStatus AccountType
	// ComputeSkipped is set when the virtual machine did not run;
	// SkippedReason is then 0 no state, 1 bad state, 2 no gas.
	ComputeSkipped bool
	SkippedReason  int
	// ExitCode is the virtual machine's exit code; 0 and 1 are success.
	ExitCode       int
	ComputeSuccess bool
	// ActionSuccess and ResultCode describe the action phase.
	ActionSuccess bool
	ResultCode    int
}

// parseTransaction reads a transaction object with transactionFields.
func parseTransaction(v gjson.Result) (*Transaction, error) {
	if !v.IsObject() {
		return nil, fmt.Errorf("reading transaction: not an object: %s", snippet([]byte(v.Raw)))
	}
	tx := &Transaction{
		ID:             v.Get("id").String(),
		InMsg:          v.Get("in_msg").String(),
		Aborted:        v.Get("aborted").Bool(),
		Status:         int(v.Get("status").Int()),
		Now:            time.Unix(v.Get("now").Int(), 0),
		EndStatus:      AccountType(v.Get("end_status").Int()),
		ComputeSkipped: v.Get("compute.compute_type").Exists() && v.Get("compute.compute_type").Int() == 0,
		SkippedReason:  int(v.Get("compute.skipped_reason").Int()),
		ExitCode:       int(v.Get("compute.exit_code").Int()),
		ComputeSuccess: v.Get("compute.success").Bool(),
		ActionSuccess:  v.Get("action.success").Bool(),
		ResultCode:     int(v.Get("action.result_code").Int()),
	}
	if tx.ID == "" {
		return nil, fmt.Errorf("reading transaction: no id")
	}
	if lt := v.Get("lt"); lt.Exists() && lt.Type != gjson.Null {
		n, err := ParseBigInt(lt.String())
		if err != nil || !n.IsUint64() {
			return nil, fmt.Errorf("reading transaction %s: lt %q is not a 64-bit number", tx.ID, lt.String())
		}
		tx.Lt = n.Uint64()
	}
	return tx, nil
}
