// Package account holds what the network client, the contract code and
// the devnet emulator all say about an Everscale account: its status. It
// sits below them all so that the three use one type.
package account

import "strconv"

// Status is an account's status, numbered as the GraphQL API's acc_type
// and as the blockchain's AccountStatus.
type Status int

// Account statuses.
const (
	Uninit   Status = 0
	Active   Status = 1
	Frozen   Status = 2
	NonExist Status = 3
)

// names are the API's acc_type_name of each status.
var names = [...]string{Uninit: "Uninit", Active: "Active", Frozen: "Frozen", NonExist: "NonExist"}

// words are how messages for people call each status.
var words = [...]string{Uninit: "uninit", Active: "active", Frozen: "frozen", NonExist: "non-existent"}

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool { return s >= Uninit && s <= NonExist }

// String is the status as messages for people write it ("non-existent").
func (s Status) String() string {
	if !s.Valid() {
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
	return words[s]
}

// Name is the status as the API's acc_type_name (and end_status_name)
// spells it ("NonExist"), "" for a number that is no status.
func (s Status) Name() string {
	if !s.Valid() {
		return ""
	}
	return names[s]
}
