package anytree

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrCycle: the images of a Gosh.yaml lead back to a source on the way. It
// wraps ErrInvalid.
var ErrCycle = &invalidError{msg: "a cycle of images"}

// Node is a source checked out with its Gosh.yaml and the nodes of the
// images it builds first, by name.
type Node struct {
	Source   Source
	Checkout *Checkout
	File     *File
	Images   map[string]*Node
}

// Key identifies a node: the repository, the full commit and the
// directory. Sources that name the same commit differently (a short id, a
// branch) are one node.
func (n *Node) Key() string {
	if n.Source.Local() {
		return n.Source.Dir
	}
	return n.Source.Repo + "#" + n.Checkout.Commit + ":" + n.Source.Dir
}

// Resolve checks out src and, depth first, every source its Gosh.yaml
// names under images, each once however many times it is named; read
// returns the Gosh.yaml of a checkout. A source reached again
// on its own way down is ErrCycle, naming the chain. Nothing is built:
// every source is known before the first build starts. On error every
// checkout made is removed.
func (g *Git) Resolve(ctx context.Context, src Source, read func(*Checkout) ([]byte, error)) (*Node, error) {
	r := &resolver{git: g, read: read, done: map[string]*Node{}}
	n, err := r.resolve(ctx, src, nil)
	if err != nil {
		r.removeAll()
		return nil, err
	}
	return n, nil
}

type resolver struct {
	git  *Git
	read func(*Checkout) ([]byte, error)
	done map[string]*Node
	all  []*Checkout
}

func (r *resolver) resolve(ctx context.Context, src Source, path []string) (*Node, error) {
	co, err := r.git.Checkout(ctx, src)
	if err != nil {
		return nil, err
	}
	n := &Node{Source: src, Checkout: co}
	key := n.Key()
	if old, ok := r.done[key]; ok {
		co.Remove()
		return old, nil
	}
	r.all = append(r.all, co)
	if i := slices.Index(path, key); i >= 0 {
		return nil, fmt.Errorf("%w: %s", ErrCycle, strings.Join(append(path[i:], key), " -> "))
	}
	data, err := r.read(co)
	if err != nil {
		return nil, err
	}
	if n.File, err = Parse(data); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	path = append(path, key)
	n.Images = map[string]*Node{}
	for _, name := range slices.Sorted(maps.Keys(n.File.Images)) {
		child, err := r.resolve(ctx, n.File.Images[name], path)
		if err != nil {
			if errors.Is(err, ErrCycle) {
				return nil, err
			}
			return nil, fmt.Errorf("image %s: %w", name, err)
		}
		n.Images[name] = child
	}
	r.done[key] = n
	return n, nil
}

func (r *resolver) removeAll() {
	for _, co := range r.all {
		co.Remove()
	}
}

// Order lists the nodes of the tree under n, each once, every node after
// the images it builds first; n is last.
func (n *Node) Order() []*Node {
	var out []*Node
	seen := map[*Node]bool{}
	var visit func(*Node)
	visit = func(m *Node) {
		if seen[m] {
			return
		}
		seen[m] = true
		for _, name := range slices.Sorted(maps.Keys(m.Images)) {
			visit(m.Images[name])
		}
		out = append(out, m)
	}
	visit(n)
	return out
}

// Remove removes every clone of the tree.
func (n *Node) Remove() {
	for _, m := range n.Order() {
		m.Checkout.Remove()
	}
}
