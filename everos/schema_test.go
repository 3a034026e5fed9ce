package everos

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

const schemaDir = "../testdata/everos-schema"

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(schemaDir, "*.graphql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files in %s: %v", schemaDir, err)
	}
	var src []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, &ast.Source{Name: filepath.Base(f), Input: string(b)})
	}
	s, err := gqlparser.LoadSchema(src...)
	if err != nil {
		t.Fatalf("loading schema: %v", err)
	}
	return s
}

func TestQueriesValidAgainstSchema(t *testing.T) {
	schema := loadSchema(t)
	for name, q := range allQueries {
		t.Run(name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Name: name, Input: q})
			if err != nil {
				t.Fatalf("parsing: %v", err)
			}
			if errs := validator.ValidateWithRules(schema, doc, nil); len(errs) > 0 {
				t.Fatalf("invalid against the schema: %v", errs)
			}
		})
	}
}

// The validation must be able to fail, or the test above proves nothing.
func TestSchemaRejectsBadQueries(t *testing.T) {
	schema := loadSchema(t)
	for _, q := range []string{
		`query{accounts{bogus}}`,
		`query{transactions(filter:{in_msg:{equals:"x"}}){id}}`,
		`mutation{postRequests(requests:[{id:"a",boc:"b"}])}`,
		`subscription{transactions{nope}}`,
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			continue
		}
		if errs := validator.ValidateWithRules(schema, doc, nil); len(errs) == 0 {
			t.Errorf("schema accepted %s", q)
		}
	}
}

func TestEmbeddedSchemaCopyIdentical(t *testing.T) {
	const embedded = "../devnet/schema"
	want, _ := filepath.Glob(filepath.Join(schemaDir, "*.graphql"))
	got, _ := filepath.Glob(filepath.Join(embedded, "*.graphql"))
	names := func(fs []string) string {
		var n []string
		for _, f := range fs {
			n = append(n, filepath.Base(f))
		}
		return strings.Join(n, ",")
	}
	if names(want) != names(got) {
		t.Fatalf("schema files differ: testdata has %s, %s has %s", names(want), embedded, names(got))
	}
	for _, f := range want {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(embedded, filepath.Base(f)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between %s and %s (%v)", filepath.Base(f), schemaDir, embedded, err)
		}
	}
}
