package devnet

import (
	"embed"
	"fmt"
	"io/fs"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// The schema of the EverOS API (ever-q-server, see schema/README.md).
//
//go:embed schema/*.graphql
var schemaFS embed.FS

var loadSchema = sync.OnceValues(func() (*ast.Schema, error) {
	names, err := fs.Glob(schemaFS, "schema/*.graphql")
	if err != nil {
		return nil, err
	}
	var src []*ast.Source
	for _, n := range names {
		b, err := schemaFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		src = append(src, &ast.Source{Name: n, Input: string(b)})
	}
	s, err := gqlparser.LoadSchema(src...)
	if err != nil {
		return nil, fmt.Errorf("loading the embedded EverOS schema: %w", err)
	}
	return s, nil
})

// Schema returns the EverOS schema the server validates documents against.
func Schema() (*ast.Schema, error) { return loadSchema() }
