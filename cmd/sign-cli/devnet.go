package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gosh-sh/sign-cli/internal/atomicfile"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/internal/loopback"
	"github.com/gosh-sh/sign-cli/keys"
)

type devnetOptions struct {
	listen      string
	registry    string
	envFile     string
	stateDir    string
	noSample    bool
	executor    string
	nodeModules string
	walletType  string
	interval    time.Duration

	// exec, when set, runs the transactions whatever executor says (tests
	// share one Node.js process among their devnets); clock, when set, is
	// the chain's clock.
	exec  devnet.Executor
	clock devnet.Clock
}

// NewCmdDevnet runs a local network and registry for trying sign-cli.
func NewCmdDevnet(app *App) *cobra.Command {
	o := &devnetOptions{}
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run a local Everscale network and registry to try sign-cli with no network",
		Long: `Run, on loopback, an emulator of the EverOS GraphQL API that executes the
proof contract's and wallets' rules, with a funded giver wallet, and an
in-memory container registry holding a small sample image.

With --executor nekoton every transaction runs on Everscale's own executor
(nekoton-wasm under Node.js, with the main network's config) on the real
compiled code of the proof contract and the giver: fees, exit codes and
account states are the network's. It needs node on PATH and the npm package
nekoton-wasm 1.8.4 with @broxus/locklift-network 2.0.1, found in
--node-modules DIR, else in $NODE_PATH, else in node_modules of the current
directory or one above it (npm ci in a clone of sign-cli installs them).
The default, --executor go, applies the same rules in Go and needs nothing.

It prints the
endpoint, the registry and the giver's address and key (a throwaway key for
this devnet only), and with --env-file writes them as shell export lines:

  SIGN_CLI_NETWORK, WALLET, WALLET_PUBLIC, WALLET_SECRET,
  SIGN_CLI_TRUST_ANCHOR, SIGN_CLI_REGISTRY, SIGN_CLI_SAMPLE_IMAGE

The devnet makes a real chain of blocks, signed by its one validator:
SIGN_CLI_TRUST_ANCHOR is its key block, SEQ_NO:ROOT_HASH, from which a
client verifies every block and transaction it serves. Blocks come at once
for each message (and the messages it causes), or with --block-interval D
one shard block and one masterchain block every D holding everything
applied in it, so that waits resemble the network's.

With --wallet-type everwallet or highloadwalletv2, WALLET is instead a
funded wallet of that kind owned by the same key, running the wallet's real
code (on either executor), which sign can pay from with several proofs per
wallet transaction. Its code is read from the npm package
everscale-standalone-client 3.0.3 (npm ci in a clone of sign-cli installs
it), found as --node-modules describes.

It runs until interrupted (Ctrl-C) and then shuts down cleanly. With
--state-dir the chain (and the giver's key) survive a restart; the registry
is always in memory.`,
		Example: `  sign-cli devnet --env-file devnet.env &
  . ./devnet.env
  sign-cli sign "$SIGN_CLI_SAMPLE_IMAGE"
  sign-cli check --source all "$WALLET_PUBLIC" "$SIGN_CLI_SAMPLE_IMAGE"`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runDevnet(cmd.Context(), app, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:0", "address of the GraphQL endpoint")
	f.StringVar(&o.registry, "registry", "127.0.0.1:0", "address of the registry")
	f.StringVar(&o.envFile, "env-file", "", "write the devnet's settings as shell export lines to `FILE` (mode 0600)")
	f.StringVar(&o.stateDir, "state-dir", "", "keep the chain's state in `DIR` across restarts")
	f.BoolVar(&o.noSample, "no-sample-image", false, "do not push the sample image")
	f.StringVar(&o.executor, "executor", executorGo, "what runs transactions: go (the contracts' rules in Go) or nekoton (Everscale's executor; needs Node.js)")
	f.DurationVar(&o.interval, "block-interval", 0, "make a block every `D` (e.g. 2s) holding the messages applied in it; 0 makes one per message, at once")
	f.StringVar(&o.nodeModules, "node-modules", "", "with --executor nekoton or --wallet-type, the node_modules `DIR` holding nekoton-wasm and everscale-standalone-client (default $NODE_PATH, then ./node_modules and above)")
	f.StringVar(&o.walletType, "wallet-type", "", "make WALLET a funded wallet of this kind running its real code: "+strings.Join(devnetWalletKinds(), ", ")+" (default: the giver)")
	return cmd
}

func runDevnet(ctx context.Context, app *App, o *devnetOptions) error {
	for _, a := range []string{o.listen, o.registry} {
		if !loopback.IsAddr(a) {
			return usageError("address %q: the devnet only listens on loopback (127.0.0.1:PORT or [::1]:PORT)", a)
		}
		if err := checkPort(a); err != nil {
			return err
		}
	}
	if o.executorName() != executorGo && o.executorName() != executorNekoton {
		return usageError("--executor %q: want %s or %s", o.executor, executorGo, executorNekoton)
	}
	if o.nodeModules != "" && o.executorName() != executorNekoton && o.walletType == "" {
		return usageError("--node-modules is for --executor nekoton or --wallet-type")
	}
	if o.interval < 0 {
		return usageError("--block-interval %s: want a duration of 0 or more (e.g. 2s)", o.interval)
	}
	giverKey, err := devnetGiverKey(o.stateDir)
	if err != nil {
		return err
	}
	chain, err := startDevnetChain(o, giverKey)
	if err != nil {
		return fmt.Errorf("starting the network: %w", err)
	}
	defer chain.Close()

	ln, err := listen(o.registry)
	if err != nil {
		return fmt.Errorf("starting the registry: %w", err)
	}
	regSrv := &http.Server{
		Handler:           registry.New(registry.Logger(log.New(io.Discard, "", 0))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go regSrv.Serve(ln)
	defer regSrv.Close()
	regAddr := ln.Addr().String()

	settings := [][2]string{
		{"SIGN_CLI_NETWORK", chain.URL},
		{"WALLET", chain.WalletAddress},
		{"WALLET_PUBLIC", giverKey.Public().String()},
		{"WALLET_SECRET", giverKey.SecretHex()},
		{"SIGN_CLI_TRUST_ANCHOR", chain.Anchor()},
		{"SIGN_CLI_REGISTRY", regAddr},
	}
	if !o.noSample {
		ref, digest, err := pushSampleImage(ctx, regAddr)
		if err != nil {
			return fmt.Errorf("pushing the sample image: %w", err)
		}
		settings = append(settings, [2]string{"SIGN_CLI_SAMPLE_IMAGE", ref})
		app.progress("sample image %s (%s)", ref, digest)
	}
	var env strings.Builder
	for _, kv := range settings {
		fmt.Fprintf(&env, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	if o.envFile != "" {
		if err := atomicfile.Write(o.envFile, []byte(env.String()), 0o600, true); err != nil {
			return usageError("--env-file: %v", err)
		}
	}
	app.progress("devnet: transactions run on %s", map[string]string{
		executorGo: "the contracts' rules in Go (--executor go)", executorNekoton: "Everscale's executor, nekoton-wasm (--executor nekoton)"}[chain.Executor])
	fmt.Fprintf(app.Out, "sign-cli devnet is running; stop it with Ctrl-C.\n"+
		"The giver's key below is a throwaway key of this local devnet.\n\n%s", env.String())
	if o.envFile != "" {
		fmt.Fprintf(app.Out, "\n(also written to %s: load it with '. %s')\n", o.envFile, o.envFile)
	}
	<-ctx.Done()
	app.progress("devnet: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = regSrv.Shutdown(shutdown)
	return nil
}

// devnetGiverKey is a new key, or the one kept in the state directory so
// that the giver of a restored chain can still be used.
func devnetGiverKey(stateDir string) (keys.Key, error) {
	if stateDir == "" {
		return keys.GenerateKey(nil)
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return keys.Key{}, usageError("--state-dir: %v", err)
	}
	path := filepath.Join(stateDir, "giver.keys.json")
	key, err := keys.ReadKeyFile(path)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return key, usageError("--state-dir: %v", err)
	}
	if key, err = keys.GenerateKey(nil); err != nil {
		return key, err
	}
	if err := keys.WriteKeyFile(path, key, false); err != nil {
		return key, usageError("--state-dir: %v", err)
	}
	return key, nil
}

// checkPort refuses a port that no socket can have, so that it is reported
// as the usage error it is rather than as a failure to listen.
func checkPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("address %q: expected HOST:PORT", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return usageError("address %q: the port must be a number from 0 to 65535", addr)
	}
	return nil
}

func listen(addr string) (net.Listener, error) {
	return net.Listen("tcp", addr)
}

// pushSampleImage pushes a one-layer image holding /hello.txt, with a
// platform and a command, as REGISTRY/demo/hello:latest.
func pushSampleImage(ctx context.Context, regAddr string) (string, v1.Hash, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	content := []byte("Hello from the sign-cli devnet.\n")
	if err := tw.WriteHeader(&tar.Header{Name: "hello.txt", Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(0, 0)}); err != nil {
		return "", v1.Hash{}, err
	}
	tw.Write(content)
	tw.Close()
	layerTar := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	})
	if err != nil {
		return "", v1.Hash{}, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return "", v1.Hash{}, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return "", v1.Hash{}, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.Cmd = []string{"cat", "/hello.txt"}
	cfg.Config.Labels = map[string]string{"org.opencontainers.image.title": "sign-cli devnet sample"}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return "", v1.Hash{}, err
	}
	ref, err := name.ParseReference(regAddr+"/demo/hello:latest", name.Insecure)
	if err != nil {
		return "", v1.Hash{}, err
	}
	if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
		return "", v1.Hash{}, err
	}
	d, err := img.Digest()
	return ref.String(), d, err
}

// shellQuote quotes a value for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
