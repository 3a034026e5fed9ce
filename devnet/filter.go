package devnet

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/gosh-sh/sign-cli/everos"
)

// Filters. A filter is an input object of field filters (eq, ne, gt, lt,
// ge, le, in, notIn) and an optional OR with another filter.

type fieldGetter func(name string) (any, bool)

func matchFilter(filter map[string]any, get fieldGetter, typ string) (bool, error) {
	result := true
	for name, cond := range filter {
		if name == "OR" {
			continue
		}
		v, ok := get(name)
		if !ok {
			return false, errUnsupported{fmt.Sprintf("filter by %s.%s", typ, name)}
		}
		ops, ok := cond.(map[string]any)
		if !ok {
			if cond == nil {
				continue
			}
			return false, fmt.Errorf("filter of %s.%s is not an object", typ, name)
		}
		if sub, ok := v.(fieldGetter); ok {
			m, err := matchFilter(ops, sub, typ+"."+name)
			if err != nil {
				return false, err
			}
			result = result && m
			continue
		}
		for op, want := range ops {
			m, err := matchOp(op, v, want)
			if err != nil {
				return false, fmt.Errorf("filter by %s.%s: %w", typ, name, err)
			}
			result = result && m
		}
	}
	if or, ok := filter["OR"].(map[string]any); ok {
		m, err := matchFilter(or, get, typ)
		if err != nil {
			return false, err
		}
		result = result || m
	}
	return result, nil
}

func matchOp(op string, v, want any) (bool, error) {
	switch op {
	case "in", "notIn":
		list, _ := want.([]any)
		found := false
		for _, w := range list {
			if compare(v, w) == 0 {
				found = true
			}
		}
		return found == (op == "in"), nil
	}
	if want == nil {
		return true, nil
	}
	c := compare(v, want)
	switch op {
	case "eq":
		return c == 0, nil
	case "ne":
		return c != 0, nil
	case "gt":
		return c > 0, nil
	case "lt":
		return c < 0 && c != incomparable, nil
	case "ge":
		return c >= 0, nil
	case "le":
		return c <= 0 && c != incomparable, nil
	}
	return false, errUnsupported{"filter operator " + op}
}

const incomparable = -2

func compare(a, b any) int {
	switch x := a.(type) {
	case *big.Int:
		y, ok := toBig(b)
		if !ok {
			return incomparable
		}
		return x.Cmp(y)
	case string:
		y, ok := b.(string)
		if !ok {
			return incomparable
		}
		return strings.Compare(x, y)
	case bool:
		y, ok := b.(bool)
		if !ok || x != y {
			return incomparable
		}
		return 0
	case float64:
		y, ok := argFloat(b)
		if !ok {
			return incomparable
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return incomparable
}

// toBig reads a filter value for a big-integer field: "0x…" or decimal
// strings, as the API writes them, or plain numbers.
func toBig(v any) (*big.Int, bool) {
	switch v := v.(type) {
	case *big.Int:
		return v, true
	case string:
		n, err := everos.ParseBigInt(v)
		return n, err == nil
	}
	if i, ok := argInt(v); ok {
		return big.NewInt(i), true
	}
	return nil, false
}

// record is one element of a collection: how to read its fields for
// filters and sorting, and how to answer a selection on it.
type record struct {
	get fieldGetter
	r   resolver
}

// selectRecords filters, sorts and limits a collection.
func selectRecords(c collectionArgs, typ string, all []record) ([]resolver, error) {
	var out []record
	for _, rec := range all {
		ok, err := matchFilter(c.filter, rec.get, typ)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rec)
		}
	}
	var sortErr error
	if len(c.order) > 0 {
		slices.SortStableFunc(out, func(a, b record) int {
			for _, k := range c.order {
				va, ok := a.get(k.path)
				vb, _ := b.get(k.path)
				if !ok {
					sortErr = errUnsupported{fmt.Sprintf("orderBy %s.%s", typ, k.path)}
					return 0
				}
				if d := compare(va, vb); d != 0 && d != incomparable {
					if k.desc {
						return -d
					}
					return d
				}
			}
			return 0
		})
	}
	if sortErr != nil {
		return nil, sortErr
	}
	res := make([]resolver, 0, min(len(out), c.limit))
	for _, rec := range out[:min(len(out), c.limit)] {
		res = append(res, rec.r)
	}
	return res, nil
}

// idsFiltered returns the ids a filter asks for when it filters by id only
// (eq or in), for the NonExist records of missing accounts.
func idsFiltered(filter map[string]any) []string {
	if len(filter) != 1 {
		return nil
	}
	cond, _ := filter["id"].(map[string]any)
	if len(cond) != 1 {
		return nil
	}
	if eq, ok := cond["eq"].(string); ok {
		return []string{eq}
	}
	var ids []string
	if in, ok := cond["in"].([]any); ok {
		for _, v := range in {
			if s, ok := v.(string); ok {
				ids = append(ids, s)
			}
		}
	}
	return ids
}
