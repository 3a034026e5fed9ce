package devnet

import (
	"encoding/base64"
	"maps"
	"slices"
	"testing"
)

// Every field a table answers is a field of that type in the real schema,
// and the filterable ones are fields the schema's filter of the type has.
func TestFieldTablesMatchSchema(t *testing.T) {
	schema, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fields  []string
		filters []string
		filter  string // the schema's filter input of the type, "" when none
	}{
		{accountType.name, slices.Collect(maps.Keys(accountType.fields)), filterable(accountType), "AccountFilter"},
		{blockchainAccountType.name, slices.Collect(maps.Keys(blockchainAccountType.fields)), filterable(blockchainAccountType), ""},
		{transactionType.name, slices.Collect(maps.Keys(transactionType.fields)), filterable(transactionType), "TransactionFilter"},
		{messageType.name, slices.Collect(maps.Keys(messageType.fields)), filterable(messageType), "MessageFilter"},
		{computeType.name, slices.Collect(maps.Keys(computeType.fields)), nil, ""},
		{actionType.name, slices.Collect(maps.Keys(actionType.fields)), nil, ""},
		{infoType.name, slices.Collect(maps.Keys(infoType.fields)), nil, ""},
		{queryType.name, slices.Collect(maps.Keys(queryType.fields)), nil, ""},
		{mutationType.name, slices.Collect(maps.Keys(mutationType.fields)), nil, ""},
		{blockchainType.name, slices.Collect(maps.Keys(blockchainType.fields)), nil, ""},
		{blockchainAccountQueryType.name, slices.Collect(maps.Keys(blockchainAccountQueryType.fields)), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := schema.Types[tt.name]
			if def == nil {
				t.Fatalf("the schema has no type %s", tt.name)
			}
			for _, f := range tt.fields {
				if def.Fields.ForName(f) == nil {
					t.Errorf("%s.%s is not in the schema", tt.name, f)
				}
			}
			if tt.filter == "" {
				if len(tt.filters) > 0 && tt.name != blockchainAccountType.name {
					t.Errorf("%s has filterable fields %v and no filter type", tt.name, tt.filters)
				}
				return
			}
			in := schema.Types[tt.filter]
			if in == nil {
				t.Fatalf("the schema has no input %s", tt.filter)
			}
			for _, f := range tt.filters {
				if in.Fields.ForName(f) == nil {
					t.Errorf("%s filters by %s, which %s does not have", tt.name, f, tt.filter)
				}
			}
		})
	}
}

func filterable[T any](o *objectType[T]) []string {
	var out []string
	for name, f := range o.fields {
		if f.filter {
			out = append(out, name)
		}
	}
	return out
}

// A field reads the same for a response and for a filter: the value a
// filter compares is the response's, before formatting.
func TestFieldWireAndFilterForms(t *testing.T) {
	st, err := newStored(Account{Address: testAddr(1), Type: 1, Balance: bigInt(255), LastPaid: 7, LastTransLt: 9})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field      string
		args       map[string]any
		wire       any
		filter     any
		filterable bool
	}{
		{"id", nil, testAddr(1), testAddr(1), true},
		{"workchain_id", nil, 0, nil, false},
		{"acc_type", nil, 1, 1.0, true},
		{"acc_type_name", nil, "Active", nil, false},
		{"balance", nil, "0xff", "255", true},
		{"balance", map[string]any{"format": "DEC"}, "255", "255", true},
		{"last_paid", nil, 7.0, 7.0, true},
		{"last_trans_lt", nil, "0x9", "9", true},
		{"code_hash", nil, nil, "", true},
		{"boc", nil, base64.StdEncoding.EncodeToString(st.BOC), nil, false},
	}
	for _, tt := range tests {
		got, err := accountType.fields[tt.field].value(st, tt.args)
		if err != nil || got != tt.wire {
			t.Errorf("%s %v: %#v, %v; want %#v", tt.field, tt.args, got, err, tt.wire)
		}
		v, ok := accountType.getter(st)(tt.field)
		if ok != tt.filterable {
			t.Errorf("%s: filterable %v, want %v", tt.field, ok, tt.filterable)
			continue
		}
		if !ok {
			continue
		}
		if n, isBig := v.(interface{ String() string }); isBig {
			v = n.String()
		}
		if v != tt.filter {
			t.Errorf("%s: filter value %#v, want %#v", tt.field, v, tt.filter)
		}
	}
	if _, err := accountType.fields["id"].value(st, map[string]any{"format": "HEX"}); err == nil {
		t.Error("id in format HEX answered; only RAW is supported")
	}
}
