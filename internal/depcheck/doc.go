// Package depcheck holds the module to its layering and its binaries to
// what they run. Its own test lists what each package imports of this
// module and fails on any import the Layers table of docs/architecture.md
// does not allow, and on any package the table does not place, as
// go-containerregistry's depcheck keeps its packages from growing
// dependencies; and a program's tests assert with AssertNoDependency which
// packages the program links, so that test-only code does not creep into a
// binary through a helper exported from a library package.
package depcheck
