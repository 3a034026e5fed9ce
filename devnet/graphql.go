package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// Error codes of Apollo Server, which the real API runs on.
const (
	codeParseFailed      = "GRAPHQL_PARSE_FAILED"
	codeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	codeBadUserInput     = "BAD_USER_INPUT"
	codeInternal         = "INTERNAL_SERVER_ERROR"
)

// gqlRequest is a GraphQL request as HTTP and websocket clients send it.
type gqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// gqlError is one element of a response's "errors".
type gqlError struct {
	Message    string              `json:"message"`
	Locations  []gqlerror.Location `json:"locations,omitempty"`
	Path       []any               `json:"path,omitempty"`
	Extensions map[string]any      `json:"extensions"`
}

func newError(code, msg string, pos *ast.Position, path []any) gqlError {
	e := gqlError{Message: msg, Extensions: map[string]any{"code": code}}
	if pos != nil {
		e.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	if path != nil {
		e.Path = append([]any(nil), path...)
	}
	return e
}

func fromGQLErrors(code string, list gqlerror.List) []gqlError {
	out := make([]gqlError, 0, len(list))
	for _, e := range list {
		msg := e.Message
		if code == codeParseFailed {
			msg = "Syntax Error: " + msg
		}
		ge := gqlError{Message: msg, Locations: e.Locations, Extensions: map[string]any{"code": code}}
		out = append(out, ge)
	}
	return out
}

// errorsBody is a response made of errors only.
func errorsBody(errs []gqlError) []byte {
	b, _ := json.Marshal(map[string]any{"errors": errs})
	return b
}

// prepared is a parsed, validated operation with its variables.
type prepared struct {
	doc  *ast.QueryDocument
	op   *ast.OperationDefinition
	vars map[string]any
}

// prepare parses and validates a request as Apollo Server does, returning
// the HTTP status and errors when it fails.
func (s *Server) prepare(req gqlRequest) (*prepared, int, []gqlError) {
	if req.Query == "" {
		return nil, http.StatusBadRequest, []gqlError{newError(codeBadUserInput,
			"GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.", nil, nil)}
	}
	doc, perr := parser.ParseQuery(&ast.Source{Input: req.Query})
	if perr != nil {
		var ge *gqlerror.Error
		if errors.As(perr, &ge) {
			return nil, http.StatusBadRequest, fromGQLErrors(codeParseFailed, gqlerror.List{ge})
		}
		return nil, http.StatusBadRequest, []gqlError{newError(codeParseFailed, "Syntax Error: "+perr.Error(), nil, nil)}
	}
	if errs := validator.ValidateWithRules(s.schema, doc, nil); len(errs) > 0 {
		return nil, http.StatusBadRequest, fromGQLErrors(codeValidationFailed, errs)
	}
	var op *ast.OperationDefinition
	switch {
	case req.OperationName != "":
		op = doc.Operations.ForName(req.OperationName)
		if op == nil {
			return nil, http.StatusBadRequest, []gqlError{newError(codeBadUserInput,
				fmt.Sprintf("Unknown operation named %q.", req.OperationName), nil, nil)}
		}
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	default:
		return nil, http.StatusBadRequest, []gqlError{newError(codeBadUserInput,
			"Must provide operation name if query contains multiple operations.", nil, nil)}
	}
	vars, err := validator.VariableValues(s.schema, op, req.Variables)
	if err != nil {
		var ge *gqlerror.Error
		msg := err.Error()
		if errors.As(err, &ge) {
			msg = ge.Message
		}
		return nil, http.StatusBadRequest, []gqlError{newError(codeBadUserInput, msg, op.Position, nil)}
	}
	return &prepared{doc: doc, op: op, vars: vars}, http.StatusOK, nil
}

// object is a JSON object that keeps its keys in selection order.
type object struct {
	keys []string
	vals []any
}

func (o *object) set(k string, v any) {
	for i, kk := range o.keys {
		if kk == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// writeString writes s as encoding/json does. Most strings of a response
// (ids, hashes, base64) need no escaping and are copied as they are.
func writeString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			sb, _ := json.Marshal(s)
			b.Write(sb)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// writeJSON encodes results directly, without encoding/json re-reading
// the output of every nested object.
func writeJSON(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case *object:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeJSON(b, v.vals[i]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case nil:
		b.WriteString("null")
	case string:
		writeString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	default:
		vb, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(vb)
	}
	return nil
}

// resolver answers the fields of one object. It returns a scalar, nil, a
// resolver (a nested object) or a slice of them.
type resolver func(f *ast.Field, args map[string]any) (any, error)

// errUnsupported marks a field or argument of the schema that the emulator
// does not implement.
type errUnsupported struct{ what string }

func (e errUnsupported) Error() string {
	return e.what + " is not supported by the devnet emulator"
}

func unsupportedField(typ string, f *ast.Field) error {
	return errUnsupported{fmt.Sprintf("field %s.%s", typ, f.Name)}
}

// execution runs one operation.
type execution struct {
	ctx  context.Context
	s    *Server
	p    *prepared
	errs []gqlError

	// The fields of each selection set and the arguments of each field,
	// worked out once for all the objects of a list.
	fields map[fieldsKey][]*ast.Field
	args   map[*ast.Field]map[string]any
}

type fieldsKey struct {
	first ast.Selection
	typ   string
}

// fieldsOf is collect, remembered per selection set and type.
func (e *execution) fieldsOf(sel ast.SelectionSet, typ string) []*ast.Field {
	if len(sel) == 0 {
		return nil
	}
	k := fieldsKey{sel[0], typ}
	fs, ok := e.fields[k]
	if !ok {
		if e.fields == nil {
			e.fields = map[fieldsKey][]*ast.Field{}
		}
		fs = e.collect(sel, typ)
		e.fields[k] = fs
	}
	return fs
}

// argsOf is f's arguments, remembered.
func (e *execution) argsOf(f *ast.Field) map[string]any {
	a, ok := e.args[f]
	if !ok {
		if e.args == nil {
			e.args = map[*ast.Field]map[string]any{}
		}
		a = f.ArgumentMap(e.p.vars)
		e.args[f] = a
	}
	return a
}

// selectObject resolves a selection set on an object of type typ.
func (e *execution) selectObject(sel ast.SelectionSet, typ string, r resolver, path []any) *object {
	fields := e.fieldsOf(sel, typ)
	out := &object{keys: make([]string, 0, len(fields)), vals: make([]any, 0, len(fields))}
	for _, f := range fields {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		if f.Name == "__typename" {
			out.set(key, typ)
			continue
		}
		fpath := func() []any { return append(append([]any(nil), path...), key) }
		v, err := r(f, e.argsOf(f))
		if err != nil {
			e.errs = append(e.errs, newError(codeInternal, err.Error(), f.Position, fpath()))
			out.set(key, nil)
			continue
		}
		switch v.(type) {
		case resolver, []resolver:
			out.set(key, e.complete(f, v, fpath()))
		default:
			out.set(key, v)
		}
	}
	return out
}

// complete turns a resolved value into JSON-ready data.
func (e *execution) complete(f *ast.Field, v any, path []any) any {
	switch v := v.(type) {
	case resolver:
		return e.selectObject(f.SelectionSet, f.Definition.Type.Name(), v, path)
	case []resolver:
		list := make([]any, len(v))
		for i, r := range v {
			list[i] = e.selectObject(f.SelectionSet, f.Definition.Type.Name(), r, append(path, i))
		}
		return list
	}
	return v
}

// collect flattens fragments and applies @skip and @include.
func (e *execution) collect(sel ast.SelectionSet, typ string) []*ast.Field {
	var out []*ast.Field
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if e.included(s.Directives) {
				out = append(out, s)
			}
		case *ast.InlineFragment:
			if e.included(s.Directives) && (s.TypeCondition == "" || s.TypeCondition == typ || s.TypeCondition == "Node") {
				out = append(out, e.collect(s.SelectionSet, typ)...)
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && e.included(s.Directives) &&
				(s.Definition.TypeCondition == typ || s.Definition.TypeCondition == "Node") {
				out = append(out, e.collect(s.Definition.SelectionSet, typ)...)
			}
		}
	}
	return out
}

func (e *execution) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		v, _ := d.ArgumentMap(e.p.vars)["if"].(bool)
		if d.Name == "skip" && v || d.Name == "include" && !v {
			return false
		}
	}
	return true
}

// result is the response body of an execution.
func (e *execution) result(data any) []byte {
	resp := &object{}
	if len(e.errs) > 0 {
		resp.set("errors", e.errs)
	}
	resp.set("data", data)
	var b bytes.Buffer
	if err := writeJSON(&b, resp); err != nil {
		return errorsBody([]gqlError{newError(codeInternal, "encoding the response: "+err.Error(), nil, nil)})
	}
	return b.Bytes()
}

// Argument helpers. Values come from ast.Field.ArgumentMap: numbers are
// int64 or float64 literals, or what the variables decoded to.

func argInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case float64:
		return int64(n), float64(int64(n)) == n
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

func argFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	i, ok := argInt(v)
	return float64(i), ok
}
