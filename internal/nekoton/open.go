package nekoton

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	script "github.com/gosh-sh/sign-cli/tools/nekoton"
)

// ErrUnavailable wraps the reasons a bridge cannot start for want of a
// prerequisite: node is not installed, or nekoton-wasm cannot be found.
// Callers that can do without Everscale's executor branch on it.
var ErrUnavailable = errors.New("nekoton-wasm under Node.js is not available")

// Options say where the bridge finds Node.js and the npm packages.
type Options struct {
	// Node is the node executable; "node" on PATH when empty.
	Node string
	// NodeModules is a node_modules directory holding nekoton-wasm and
	// @broxus/locklift-network (or a directory above one). When empty, the
	// directories of $NODE_PATH are tried, then node_modules in the working
	// directory and each directory above it.
	NodeModules string
	// Getenv reads the environment (NODE_PATH); os.Getenv when nil.
	Getenv func(string) string
}

// Open starts a bridge process of its own, for a program that runs as long
// as it likes (a local network, for example); Close ends it. The bridge
// script is embedded in the program and written to a temporary directory,
// so an installed binary needs only node and the npm packages.
func Open(opts Options) (*Bridge, error) {
	node := opts.Node
	if node == "" {
		node = "node"
	}
	nodePath, err := exec.LookPath(node)
	if err != nil {
		return nil, fmt.Errorf("%w: %s (Node.js) is not on PATH", ErrUnavailable, node)
	}
	modules, err := FindNodeModules(opts.NodeModules, opts.Getenv)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sign-cli-nekoton-*")
	if err != nil {
		return nil, fmt.Errorf("writing the nekoton bridge script: %w", err)
	}
	path := filepath.Join(dir, "bridge.mjs")
	if err := os.WriteFile(path, script.BridgeScript, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("writing the nekoton bridge script: %w", err)
	}
	b, err := startProcess(nodePath, path, modules)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A bridge that cannot load its packages ends at once; ask it something
	// so that Open reports that rather than the first real call. Once it
	// answers, node has loaded the script and the file is no longer needed.
	_, err = b.Call("methods")
	os.RemoveAll(dir)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("starting the nekoton bridge with packages from %s: %w", modules, err)
	}
	return b, nil
}

// FindNodeModules returns the node_modules directory that holds
// nekoton-wasm: dir itself when given (an error when it lacks the package),
// else the first of $NODE_PATH's directories and of the node_modules
// directories in the working directory and above it that has it. The error
// wraps ErrUnavailable and names the places looked at.
func FindNodeModules(dir string, getenv func(string) string) (string, error) {
	has := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "nekoton-wasm", "package.json"))
		return err == nil
	}
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("node modules directory %q: %w", dir, err)
		}
		for _, d := range []string{abs, filepath.Join(abs, "node_modules")} {
			if has(d) {
				return d, nil
			}
		}
		return "", fmt.Errorf("%w: %s holds no nekoton-wasm (run `npm ci` in the sign-cli repository, or `npm install nekoton-wasm@1.8.4 @broxus/locklift-network@2.0.1` there)", ErrUnavailable, abs)
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	var tried []string
	for _, d := range filepath.SplitList(getenv("NODE_PATH")) {
		if d == "" {
			continue
		}
		if abs, err := filepath.Abs(d); err == nil {
			if has(abs) {
				return abs, nil
			}
			tried = append(tried, abs)
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding node_modules: %w", err)
	}
	for d := wd; ; {
		nm := filepath.Join(d, "node_modules")
		if has(nm) {
			return nm, nil
		}
		tried = append(tried, nm)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return "", fmt.Errorf("%w: node_modules/nekoton-wasm is not installed (looked in $NODE_PATH and in node_modules from %s up: %s); give the directory with --node-modules or NODE_PATH",
		ErrUnavailable, wd, strings.Join(tried[:min(len(tried), 3)], ", ")+ellipsis(len(tried) > 3))
}

func ellipsis(more bool) string {
	if more {
		return ", …"
	}
	return ""
}

// Close ends the bridge process: it closes the bridge's standard input,
// which ends it, and kills it if it has not ended within five seconds.
// Calls in flight and later calls fail with ErrClosed. The shared bridge of
// tests (Start) must not be closed.
func (b *Bridge) Close() error {
	b.closeOnce.Do(func() {
		b.stdin.Close()
		select {
		case <-b.done:
		case <-time.After(5 * time.Second):
			b.cmd.Process.Kill()
			<-b.done
		}
	})
	return nil
}
