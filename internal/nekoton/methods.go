package nekoton

import (
	"encoding/json"
	"fmt"
)

// Compiled is the result of compileFunc.
type Compiled struct {
	CodeBOC  string `json:"codeBoc"` // base64
	FiftCode string `json:"fiftCode"`
	Warnings string `json:"warnings"`
}

// CompileFunc compiles FunC sources (file name to text); targets are the
// files to compile, in order.
func (b *Bridge) CompileFunc(sources map[string]string, targets ...string) (Compiled, error) {
	var c Compiled
	err := b.CallInto(&c, "compileFunc", sources, targets)
	return c, err
}

// ExternalMessageParams are the params of the externalMessage method. Input
// holds the function's arguments by name (nekoton's TokensObject). With
// SecretKey the message is signed by it; with Signature (base64) that
// signature is put in; with neither and no PublicKey it is unsigned.
type ExternalMessageParams struct {
	Dst       string         `json:"dst"`
	ABI       string         `json:"abi"`
	Method    string         `json:"method"`
	StateInit string         `json:"stateInit,omitempty"`
	Input     map[string]any `json:"input"`
	PublicKey string         `json:"publicKey,omitempty"`
	SecretKey string         `json:"secretKey,omitempty"`
	Signature string         `json:"signature,omitempty"`
	NowMs     int64          `json:"nowMs"`
	ExpireAt  uint32         `json:"expireAt"`
}

// ExternalMessage is a message built by nekoton.
type ExternalMessage struct {
	Hash       string `json:"hash"` // hex representation hash of the message
	ExpireAt   uint32 `json:"expireAt"`
	BOC        string `json:"boc"`        // base64
	DataToSign string `json:"dataToSign"` // base64 of the 32 bytes signed; empty when unsigned
}

// ExternalMessage builds an external inbound message with nekoton's
// createExternalMessage.
func (b *Bridge) ExternalMessage(p ExternalMessageParams) (ExternalMessage, error) {
	if p.Input == nil {
		p.Input = map[string]any{}
	}
	var m ExternalMessage
	err := b.CallInto(&m, "externalMessage", p)
	return m, err
}

// Transaction is the part of nekoton's Transaction object that tests use.
type Transaction struct {
	ID struct {
		LT   string `json:"lt"`
		Hash string `json:"hash"`
	} `json:"id"`
	CreatedAt   uint32    `json:"createdAt"`
	Aborted     bool      `json:"aborted"`
	ExitCode    *int      `json:"exitCode"`
	ResultCode  *int      `json:"resultCode"`
	OrigStatus  string    `json:"origStatus"`
	EndStatus   string    `json:"endStatus"`
	TotalFees   string    `json:"totalFees"`
	InMessage   Message   `json:"inMessage"`
	OutMessages []Message `json:"outMessages"`
	BOC         string    `json:"boc"`
}

// Message is nekoton's Message object.
type Message struct {
	Hash    string `json:"hash"`
	Src     string `json:"src"`
	Dst     string `json:"dst"`
	Value   string `json:"value"`
	Bounce  bool   `json:"bounce"`
	Bounced bool   `json:"bounced"`
	Body    string `json:"body"`
	BOC     string `json:"boc"`
}

// Execution is the outcome of executeLocal: either Rejected with the exit
// code of a message refused before any transaction (an external message the
// contract did not accept), or a transaction and the account after it.
type Execution struct {
	Rejected    bool
	ExitCode    int
	Account     string // base64 account BOC after the transaction
	Transaction Transaction
}

// Execute runs message (base64 BOC) on account (base64 account BOC) with
// Everscale's executor at Unix time utime, with Everscale's main config and
// signature checks on.
func (b *Bridge) Execute(account, message string, utime uint32) (Execution, error) {
	raw, err := b.Call("executeLocal", EverConfig, account, message, utime, false)
	if err != nil {
		return Execution{}, err
	}
	var out struct {
		ExitCode    *int         `json:"exitCode"`
		Account     string       `json:"account"`
		Transaction *Transaction `json:"transaction"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return Execution{}, fmt.Errorf("decoding executeLocal result: %w", err)
	}
	if out.Transaction == nil {
		if out.ExitCode == nil {
			return Execution{}, fmt.Errorf("executeLocal returned neither a transaction nor an exit code: %.200s", raw)
		}
		return Execution{Rejected: true, ExitCode: *out.ExitCode}, nil
	}
	return Execution{Account: out.Account, Transaction: *out.Transaction}, nil
}

// Outcome is the result of the execute method: Execution with the
// transaction decoded by transactionInfo.
type Outcome struct {
	Execution
	Info TransactionInfo
}

// ExecuteDecoded is Execute and TransactionInfo of the transaction in one
// round trip to the bridge (its execute method): for a program that runs
// many transactions, an emulator for example.
func (b *Bridge) ExecuteDecoded(account, message string, utime uint32) (Outcome, error) {
	raw, err := b.Call("execute", account, message, utime)
	if err != nil {
		return Outcome{}, err
	}
	var out struct {
		ExitCode    *int             `json:"exitCode"`
		Account     string           `json:"account"`
		Transaction *Transaction     `json:"transaction"`
		Info        *TransactionInfo `json:"info"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return Outcome{}, fmt.Errorf("decoding execute result: %w", err)
	}
	if out.Transaction == nil || out.Info == nil {
		if out.ExitCode == nil {
			return Outcome{}, fmt.Errorf("execute returned neither a transaction nor an exit code: %.200s", raw)
		}
		return Outcome{Execution: Execution{Rejected: true, ExitCode: *out.ExitCode}}, nil
	}
	return Outcome{Execution: Execution{Account: out.Account, Transaction: *out.Transaction}, Info: *out.Info}, nil
}

// TransactionInfo is what transactionInfo reads from a transaction BOC.
type TransactionInfo struct {
	Account          string  `json:"account"`
	LT               string  `json:"lt"`
	Now              uint32  `json:"now"`
	OutMsgs          int     `json:"outMsgs"`
	OrigStatus       string  `json:"origStatus"`
	EndStatus        string  `json:"endStatus"`
	TotalFees        string  `json:"totalFees"`
	StorageFees      string  `json:"storageFees"`
	Credit           string  `json:"credit"`
	ComputeSkipped   *string `json:"computeSkipped"`
	Success          bool    `json:"success"`
	GasFees          string  `json:"gasFees"`
	GasUsed          string  `json:"gasUsed"`
	GasLimit         string  `json:"gasLimit"`
	GasCredit        *string `json:"gasCredit"`
	ExitCode         int     `json:"exitCode"`
	VMSteps          uint32  `json:"vmSteps"`
	ActionSuccess    bool    `json:"actionSuccess"`
	ActionResultCode int     `json:"actionResultCode"`
	TotalFwdFees     string  `json:"totalFwdFees"`
	TotalActionFees  string  `json:"totalActionFees"`
	Aborted          bool    `json:"aborted"`
	Bounce           bool    `json:"bounce"`
	Destroyed        bool    `json:"destroyed"`
}

// TransactionInfo decodes fees, gas and outcome of a transaction BOC.
func (b *Bridge) TransactionInfo(txBOC string) (TransactionInfo, error) {
	var t TransactionInfo
	err := b.CallInto(&t, "transactionInfo", txBOC)
	return t, err
}

// MessageInfo is what messageInfo reads from a message BOC.
type MessageInfo struct {
	Kind      string `json:"kind"` // internal, externalIn or externalOut
	Hash      string `json:"hash"`
	Src       string `json:"src"`
	Dst       string `json:"dst"`
	Value     string `json:"value"`
	Bounce    bool   `json:"bounce"`
	Bounced   bool   `json:"bounced"`
	CreatedAt uint32 `json:"createdAt"`
	StateInit string `json:"stateInit"` // base64 BOC, empty when absent
	Body      string `json:"body"`      // base64 BOC
	BodyHash  string `json:"bodyHash"`
}

// MessageInfo decodes the header, StateInit and body of a message BOC.
func (b *Bridge) MessageInfo(msgBOC string) (MessageInfo, error) {
	var m MessageInfo
	err := b.CallInto(&m, "messageInfo", msgBOC)
	return m, err
}

// ParsedTransaction is a transaction as nekoton reads one a network serves.
type ParsedTransaction struct {
	Transaction
	// PrevTransactionID is nil when the transaction links to none.
	PrevTransactionID *struct {
		LT   string `json:"lt"`
		Hash string `json:"hash"`
	} `json:"prevTransactionId"`
}

// ParseTransaction reads a transaction BOC (base64) with nekoton's own
// parser, as its Transport reads the transactions a network serves.
func (b *Bridge) ParseTransaction(txBOC string) (ParsedTransaction, error) {
	var t ParsedTransaction
	err := b.CallInto(&t, "parseTransaction", txBOC)
	return t, err
}

// TransactionLink is a transaction's id and the id of the one before it on
// its account, as nekoton reads them.
type TransactionLink struct {
	ID struct {
		LT   string `json:"lt"`
		Hash string `json:"hash"`
	} `json:"id"`
	PrevTransactionID *struct {
		LT   string `json:"lt"`
		Hash string `json:"hash"`
	} `json:"prevTransactionId"`
}

// AccountTransactions is the history of the account at address, newest
// first, as nekoton's GqlTransport reads it from the GraphQL endpoint at
// url, pageSize transactions a page, following each page's continuation.
func (b *Bridge) AccountTransactions(url, address string, pageSize int) ([]TransactionLink, error) {
	var out []TransactionLink
	err := b.CallInto(&out, "accountTransactions", url, address, pageSize)
	return out, err
}

// BlockWalk is what nekoton's block walking reads of an account's blocks.
type BlockWalk struct {
	// Latest is the latest block of the account's shard.
	Latest struct {
		ID       string `json:"id"`
		EndLT    string `json:"endLt"`
		GenUtime uint32 `json:"genUtime"`
	} `json:"latest"`
	// Found holds, for each block asked for, the hashes of the account's
	// transactions nekoton found in it.
	Found [][]string `json:"found"`
}

// BlockTransactions walks blocks as wallets built on nekoton do, from
// the GraphQL endpoint at url: the latest block of address's shard, then
// each of blockIDs fetched whole and parsed by Everscale's ton_block, and
// the account's transactions found in it.
func (b *Bridge) BlockTransactions(url, address string, blockIDs []string) (BlockWalk, error) {
	var out BlockWalk
	err := b.CallInto(&out, "blockTransactions", url, address, blockIDs)
	return out, err
}
