package account

import "testing"

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{Uninit: "uninit", Active: "active", Frozen: "frozen", NonExist: "non-existent", 7: "Status(7)", -1: "Status(-1)"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
}

// The API's names are the wire form of acc_type_name, orig_status_name and
// end_status_name: the numbers and names must stay as the real API serves
// them.
func TestStatusName(t *testing.T) {
	tests := []struct {
		s    Status
		num  int
		name string
	}{
		{Uninit, 0, "Uninit"},
		{Active, 1, "Active"},
		{Frozen, 2, "Frozen"},
		{NonExist, 3, "NonExist"},
		{4, 4, ""},
		{-1, -1, ""},
	}
	for _, tt := range tests {
		if int(tt.s) != tt.num || tt.s.Name() != tt.name {
			t.Errorf("status %d: number %d name %q, want %d %q", int(tt.s), int(tt.s), tt.s.Name(), tt.num, tt.name)
		}
		if tt.s.Valid() != (tt.name != "") {
			t.Errorf("status %d: Valid() = %v", int(tt.s), tt.s.Valid())
		}
	}
}
