package contract

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/account"
)

// Errors of decoding and checking proof accounts; callers branch on them.
var (
	// ErrNotProof: the account or data is not a proof contract's.
	ErrNotProof = errors.New("not a proof contract")
	// ErrNotDeployed: the account does not exist, is uninit or frozen.
	ErrNotDeployed = errors.New("proof is not deployed")
	// ErrNotConstructed: the code and data are there but the signed
	// constructor never ran (anyone can deploy the initial state).
	ErrNotConstructed = errors.New("proof is not constructed")
	// ErrProofMismatch: a proof of another key or content.
	ErrProofMismatch = errors.New("proof is for another key or content")
)

// ProofState is the decoded data of a proof account.
type ProofState struct {
	PublicKey   ed25519.PublicKey
	Content     string
	Constructed bool
	// Timestamp is the `time` header of the deploy message (milliseconds):
	// the signer's claim of when it signed.
	Timestamp uint64
	// DeployedAt is the chain time (Unix seconds) of the transaction that
	// constructed the proof, which the signer cannot choose.
	DeployedAt uint32
}

// SignedAt is Timestamp as a time.
func (s *ProofState) SignedAt() time.Time { return time.UnixMilli(int64(s.Timestamp)).UTC() }

// DeployTime is DeployedAt as a time.
func (s *ProofState) DeployTime() time.Time { return time.Unix(int64(s.DeployedAt), 0).UTC() }

// proofDataBits is the size of the proof data's root: 256 + 64 + 1 + 32.
const proofDataBits = 353

// DecodeProofData decodes a proof's data BOC (an account's `data` as the
// GraphQL API returns it, base64-decoded).
func DecodeProofData(boc []byte) (*ProofState, error) {
	c, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("decoding proof data: %w", err)
	}
	return ParseProofData(c)
}

// ParseProofData decodes a proof's data cell by the fields of ProofABI.
func ParseProofData(data *cell.Cell) (*ProofState, error) {
	// One cell with the content as its only ref: anything else is not data
	// the proof contract wrote, whatever a lenient decoder would make of it.
	if data.BitsSize() != proofDataBits || data.RefsNum() != 1 {
		return nil, fmt.Errorf("%w: data has %d bits and %d refs, want %d and 1",
			ErrNotProof, data.BitsSize(), data.RefsNum(), proofDataBits)
	}
	v, err := proofABI().DecodeStorage(data, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotProof, err)
	}
	pub, _ := v["_pubkey"].(*big.Int)
	ts, _ := v["_timestamp"].(*big.Int)
	flag, _ := v["_constructorFlag"].(bool)
	content, okContent := v["content"].(string)
	deployed, _ := v["deployedAt"].(*big.Int)
	if pub == nil || ts == nil || deployed == nil || !okContent {
		return nil, fmt.Errorf("%w: decoded fields %v", ErrNotProof, v)
	}
	st := &ProofState{
		PublicKey:   pub.FillBytes(make([]byte, ed25519.PublicKeySize)),
		Content:     content,
		Constructed: flag,
		Timestamp:   ts.Uint64(),
		DeployedAt:  uint32(deployed.Uint64()),
	}
	return st, nil
}

// Account is the part of an account's state that proofs and wallets need.
type Account struct {
	Status      account.Status
	Address     *cell.Address // nil for NonExist
	Balance     *big.Int      // nanotokens
	LastTransLT uint64
	LastPaid    uint32
	Code, Data  *cell.Cell // Active only
	StateHash   [32]byte   // Frozen only
}

// DecodeAccount decodes an account BOC (an account's `boc` as the GraphQL
// API returns it, base64-decoded).
func DecodeAccount(boc []byte) (*Account, error) {
	c, err := cell.FromBOC(boc)
	if err != nil {
		return nil, fmt.Errorf("decoding account: %w", err)
	}
	return ParseAccount(c)
}

// ParseAccount decodes an account cell:
//
//	account_none$0 = Account;
//	account$1 addr:MsgAddressInt storage_stat:StorageInfo storage:AccountStorage = Account;
//	storage_info$_ used:StorageUsed last_paid:uint32 due_payment:(Maybe Grams) = StorageInfo;
//	account_storage$_ last_trans_lt:uint64 balance:CurrencyCollection state:AccountState = AccountStorage;
//
// Everscale's StorageUsed has three VarUInteger 7 counters (cells, bits,
// public cells); newer node software writes two. Both are read: the one
// that leaves a well-formed remainder wins.
func ParseAccount(c *cell.Cell) (*Account, error) {
	var firstErr error
	for _, counters := range []int{3, 2} {
		acc, err := parseAccount(c, counters)
		if err == nil {
			return acc, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("decoding account: %w", firstErr)
}

func parseAccount(c *cell.Cell, counters int) (*Account, error) {
	s := c.BeginParse()
	exists, err := s.LoadBool()
	if err != nil {
		return nil, err
	}
	if !exists {
		return &Account{Status: account.NonExist, Balance: new(big.Int)}, nil
	}
	acc := &Account{}
	if acc.Address, err = s.LoadAddress(); err != nil {
		return nil, fmt.Errorf("address: %w", err)
	}
	for range counters {
		if _, err := s.LoadVarUInt(3); err != nil {
			return nil, fmt.Errorf("storage used: %w", err)
		}
	}
	lastPaid, err := s.LoadUInt(32)
	if err != nil {
		return nil, fmt.Errorf("last paid: %w", err)
	}
	acc.LastPaid = uint32(lastPaid)
	if due, err := s.LoadBool(); err != nil {
		return nil, fmt.Errorf("due payment: %w", err)
	} else if due {
		if _, err := s.LoadCoins(); err != nil {
			return nil, fmt.Errorf("due payment: %w", err)
		}
	}
	if acc.LastTransLT, err = s.LoadUInt(64); err != nil {
		return nil, fmt.Errorf("last transaction lt: %w", err)
	}
	if acc.Balance, err = s.LoadCoins(); err != nil {
		return nil, fmt.Errorf("balance: %w", err)
	}
	if _, err := s.LoadMaybeRef(); err != nil { // extra currencies
		return nil, fmt.Errorf("extra currencies: %w", err)
	}
	active, err := s.LoadBool()
	if err != nil {
		return nil, fmt.Errorf("account state: %w", err)
	}
	switch {
	case active:
		acc.Status = account.Active
		if err := parseStateInit(s, acc); err != nil {
			return nil, err
		}
	default:
		frozen, err := s.LoadBool()
		if err != nil {
			return nil, fmt.Errorf("account state: %w", err)
		}
		if !frozen {
			acc.Status = account.Uninit
			break
		}
		acc.Status = account.Frozen
		h, err := s.LoadBytes(32)
		if err != nil {
			return nil, fmt.Errorf("frozen state hash: %w", err)
		}
		copy(acc.StateHash[:], h)
	}
	// What may follow is Everscale's optional init_code_hash.
	switch s.BitsLeft() {
	case 0:
	case 1, 257:
		if s.BitsLeft() == 1 {
			if v, _ := s.PreloadUInt(1); v != 0 {
				return nil, errors.New("init code hash flag set with no hash")
			}
		}
	default:
		return nil, fmt.Errorf("%d unexpected bits after the account state", s.BitsLeft())
	}
	return acc, nil
}

// parseStateInit reads an inline StateInit:
//
//	_ split_depth:(Maybe (## 5)) special:(Maybe TickTock) code:(Maybe ^Cell)
//	  data:(Maybe ^Cell) library:(HashmapE 256 SimpleLib) = StateInit;
func parseStateInit(s *cell.Slice, acc *Account) error {
	for _, width := range []int{5, 2} {
		present, err := s.LoadBool()
		if err != nil {
			return fmt.Errorf("state init: %w", err)
		}
		if present {
			if err := s.Skip(width); err != nil {
				return fmt.Errorf("state init: %w", err)
			}
		}
	}
	var err error
	if acc.Code, err = s.LoadMaybeRef(); err != nil {
		return fmt.Errorf("state init code: %w", err)
	}
	if acc.Data, err = s.LoadMaybeRef(); err != nil {
		return fmt.Errorf("state init data: %w", err)
	}
	if _, err := s.LoadMaybeRef(); err != nil {
		return fmt.Errorf("state init libraries: %w", err)
	}
	return nil
}

// ProofState decodes the proof in an active account with the proof code.
func (a *Account) ProofState() (*ProofState, error) {
	if a.Status != account.Active {
		return nil, fmt.Errorf("%w: account is %s", ErrNotDeployed, a.Status)
	}
	if a.Code == nil || a.Code.Hash() != proofCode().Hash() {
		return nil, fmt.Errorf("%w: account runs other code", ErrNotProof)
	}
	if a.Data == nil {
		return nil, fmt.Errorf("%w: account has no data", ErrNotProof)
	}
	return ParseProofData(a.Data)
}

// Check reports whether acc is this proof, constructed: an active account
// at p's address running the proof code, whose data holds p's key and
// content with the constructor flag set. It returns the proof's state.
func (p *Proof) Check(acc *Account) (*ProofState, error) {
	if acc.Address != nil && acc.Status != account.NonExist && !acc.Address.Equal(p.address) {
		return nil, fmt.Errorf("%w: account %s is not at the proof's address %s", ErrProofMismatch, acc.Address, p.address)
	}
	st, err := acc.ProofState()
	if err != nil {
		return nil, err
	}
	return st, p.CheckState(st)
}

// CheckState reports whether st (decoded from the data at p's address) is
// p, constructed.
func (p *Proof) CheckState(st *ProofState) error {
	if !st.PublicKey.Equal(p.publicKey) || st.Content != p.content {
		return ErrProofMismatch
	}
	if !st.Constructed {
		return ErrNotConstructed
	}
	return nil
}
