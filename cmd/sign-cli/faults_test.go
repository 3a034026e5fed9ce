package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/devnet"
	"github.com/gosh-sh/sign-cli/everos"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
)

func isManifestPut(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
}

// faultWorld is a devnet whose network and registry both fail on demand.
type faultWorld struct {
	*world
	signer keys.Key
	key    string // the signer's key file
}

func newFaultWorld(t *testing.T) *faultWorld {
	w := newWorld(t)
	fw := &faultWorld{world: w}
	fw.signer, fw.key = w.keyFile("signer.json")
	return fw
}

// signatures counts the signatures of digest in the registry (0 when there
// is no .sig artifact).
func (fw *faultWorld) signatures(t *testing.T, ref string, digest v1.Hash) int {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(image.SignatureTag(r.Context(), digest))
	if err != nil {
		if strings.Contains(err.Error(), "MANIFEST_UNKNOWN") || strings.Contains(err.Error(), "NAME_UNKNOWN") {
			return 0
		}
		t.Fatalf("reading the signatures of %s: %v", ref, err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return len(m.Layers)
}

func (fw *faultWorld) proofAddress(t *testing.T, digest v1.Hash) string {
	p, err := contract.NewProof(fw.signer.Public().Ed25519(), digest.String())
	if err != nil {
		t.Fatal(err)
	}
	return p.Address().String()
}

// runCLIContext is runCLI with a context, and onLine told of every line
// written to standard error (to act midway, as a user pressing Ctrl-C).
func runCLIContext(ctx context.Context, env map[string]string, onLine func(string), args ...string) result {
	var out bytes.Buffer
	errOut := &lineWriter{onLine: onLine}
	app := &App{In: strings.NewReader(""), Out: &out, Err: errOut, Getenv: func(k string) string { return env[k] }}
	code := Main(ctx, args, app)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

type lineWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	onLine func(string)
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	if l.onLine != nil {
		for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
			l.onLine(line)
		}
	}
	return len(p), nil
}

func (l *lineWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Short lifetimes and timeouts keep a fault that costs an expiry to a few
// seconds.
var faultSignFlags = []string{"--message-lifetime", "3s", "--timeout", "40s"}

type faultCase struct {
	name string
	// arm switches the fault on; it is called again before the checks
	// that run under the fault.
	arm func(fw *faultWorld, digest v1.Hash)
	// env changes the user's environment (endpoints, for example).
	env func(fw *faultWorld, env map[string]string)
	// interrupt, when set, cancels the first sign when a line of standard
	// error contains it, as Ctrl-C would.
	interrupt string
	// interruptWhen, when set, cancels the first sign as soon as it holds
	// (it is polled, and also asked at every registry request).
	interruptWhen func(fw *faultWorld, digest v1.Hash, r *http.Request) bool
	// mustComplete: the first sign may not fail.
	mustComplete bool
	// lifetime replaces the --message-lifetime of faultSignFlags.
	lifetime string
}

// TestSignFaults runs sign under every fault: it completes, or fails with
// exit code 3 and one line of error and a second sign completes; either way
// the proof is deployed once and the registry holds the signature once.
// check under the same fault answers right or not at all.
func TestSignFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("fault tests wait for message expiry; skipped with -short")
	}
	down503 := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		http.Error(rw, "service unavailable", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down503.Close)
	cases := []faultCase{
		{name: "first endpoint refuses connections", mustComplete: true,
			env: func(fw *faultWorld, env map[string]string) {
				env["SIGN_CLI_NETWORK"] = "http://127.0.0.1:1/graphql," + fw.chain.URL
			}},
		{name: "first endpoint answers 503", mustComplete: true,
			env: func(fw *faultWorld, env map[string]string) {
				env["SIGN_CLI_NETWORK"] = down503.URL + "/graphql," + fw.chain.URL
			}},
		{name: "5xx burst", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.FailRequests(3, http.StatusBadGateway) }},
		{name: "503 burst", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.FailRequests(4, http.StatusServiceUnavailable) }},
		{name: "429 burst", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.FailRequests(4, http.StatusTooManyRequests) }},
		{name: "long 5xx outage", arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.FailRequests(-1, http.StatusInternalServerError) }},
		{name: "latency", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.SetLatency(150 * time.Millisecond) }},
		{name: "connections reset", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.RefuseConnections(3) }},
		{name: "websocket dropped", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.DropWebsocketAfter(1) }},
		{name: "duplicate delivery", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.DuplicateDelivery(true) }},
		{name: "malformed responses", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.MalformJSON(3) }},
		{name: "server clock ahead", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.SetClockSkew(10 * time.Minute) }},
		{name: "server clock behind", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.SetClockSkew(-10 * time.Minute) }},
		// The first message (the wallet's transfer) is lost: it expires and
		// is replaced, and the address is read first so nothing is paid twice.
		{name: "lost transfer", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.LoseMessages(1) }},
		// The proof address is funded already, so the one message, the
		// deploy message, is lost and replaced.
		{name: "lost deploy message", mustComplete: true, arm: func(fw *faultWorld, d v1.Hash) {
			fund(t, fw, d)
			fw.chain.LoseMessages(1)
		}},
		// Every message is lost: each expires and is replaced until the
		// resends run out.
		{name: "every message lost", lifetime: "1s", arm: func(fw *faultWorld, _ v1.Hash) { fw.chain.LoseMessages(-1) }},
		{name: "registry 5xx burst", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.reg.Fail(2, http.StatusServiceUnavailable, "", "") }},
		{name: "registry 429 burst", mustComplete: true, arm: func(fw *faultWorld, _ v1.Hash) { fw.reg.Fail(2, http.StatusTooManyRequests, "", "") }},
		{name: "registry refuses the signature", arm: func(fw *faultWorld, _ v1.Hash) {
			fw.reg.Fail(-1, http.StatusInternalServerError, http.MethodPut, "/manifests/")
		}},
		{name: "registry down", arm: func(fw *faultWorld, _ v1.Hash) { fw.reg.Fail(-1, http.StatusBadGateway, "", "") }},
		{name: "interrupted while funding", interrupt: "funding proof"},
		{name: "interrupted while deploying", interrupt: "deploying proof"},
		{name: "interrupted while writing the registry", interrupt: "writing the registry signature"},
		// Cancelled once the deploy message is processed, before the
		// client has seen its transaction.
		{name: "interrupted after the deployment", interruptWhen: func(fw *faultWorld, d v1.Hash, _ *http.Request) bool {
			return fw.proofTransactions(fw.proofAddress(t, d)) > 0
		}},
		// Cancelled while the signature's blobs are being uploaded.
		{name: "interrupted mid push", interruptWhen: func(_ *faultWorld, _ v1.Hash, r *http.Request) bool {
			return r != nil && r.Method == http.MethodPatch
		}},
		// Cancelled as the signature's manifest is pushed.
		{name: "interrupted at the manifest push", interruptWhen: func(_ *faultWorld, _ v1.Hash, r *http.Request) bool {
			return r != nil && isManifestPut(r)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runFaultCase(t, tc)
		})
	}
}

// fund gives the proof address of digest enough to deploy, as an earlier
// top-up would have.
func fund(t *testing.T, fw *faultWorld, digest v1.Hash) {
	addr := fw.proofAddress(t, digest)
	if acc, ok := fw.chain.Account(addr); ok && acc.Type == everos.Active {
		return // deployed: the fault is armed again for check
	}
	if err := fw.chain.SetAccount(devnet.Account{Address: addr, Type: everos.Uninit, Balance: new(big.Int).SetUint64(contract.DefaultTopUp)}); err != nil {
		t.Fatal(err)
	}
}

func runFaultCase(t *testing.T, tc faultCase) {
	fw := newFaultWorld(t)
	ref, digest := fw.image("fault/app", nil)
	unsignedRef, _ := fw.image("fault/other", nil)
	env := fw.env()
	if tc.env != nil {
		tc.env(fw, env)
	}
	reset := func() {
		fw.chain.ResetFaults()
		fw.reg.ResetFaults()
	}
	if tc.arm != nil {
		tc.arm(fw, digest)
	}
	args := append([]string{"sign", "--secret-file", fw.key}, faultSignFlags...)
	if tc.lifetime != "" {
		args = append(args, "--message-lifetime", tc.lifetime)
	}
	args = append(args, ref)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var onLine func(string)
	if tc.interrupt != "" {
		onLine = func(line string) {
			if strings.Contains(line, tc.interrupt) {
				cancel()
			}
		}
	}
	if tc.interruptWhen != nil {
		fw.reg.OnRequest(func(r *http.Request) {
			if tc.interruptWhen(fw, digest, r) {
				cancel()
			}
		})
		go func() {
			for ctx.Err() == nil {
				if tc.interruptWhen(fw, digest, nil) {
					cancel()
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	start := time.Now()
	r := runCLIContext(ctx, env, onLine, args...)
	cancel()
	fw.reg.OnRequest(nil)
	t.Logf("first sign: exit %d after %s", r.code, time.Since(start).Round(time.Millisecond))
	reset()
	switch {
	case r.code == exitOK:
	case tc.mustComplete:
		t.Fatalf("sign under the fault: %+v", r)
	default:
		wantFailureLine(t, r)
		r2 := runCLI(t, env, "", args...)
		if r2.code != exitOK {
			t.Fatalf("second sign after the fault: %+v", r2)
		}
	}

	addr := fw.proofAddress(t, digest)
	if n := fw.proofTransactions(addr); n != 1 {
		t.Errorf("the proof was deployed %d times", n)
	}
	if n := fw.signatures(t, ref, digest); n != 1 {
		t.Errorf("the registry holds %d signatures", n)
	}
	// A third sign changes nothing.
	if r := runCLI(t, env, "", args...); r.code != exitOK || !strings.Contains(r.stdout, "already deployed") || !strings.Contains(r.stdout, "already present") {
		t.Errorf("sign after success: %+v", r)
	}

	// check, with and without the fault, never answers wrong.
	checkArgs := []string{"check", "--source", "all", "--timeout", "20s", "--public", fw.signer.Public().String()}
	for _, faulty := range []bool{false, true} {
		if faulty && tc.arm != nil {
			tc.arm(fw, digest)
		}
		signed := runCLI(t, env, "", append(checkArgs, ref)...)
		unsigned := runCLI(t, env, "", append(checkArgs, unsignedRef)...)
		reset()
		if !faulty && (signed.code != exitOK || unsigned.code != exitNotVerified) {
			t.Fatalf("check without faults: signed %+v, unsigned %+v", signed, unsigned)
		}
		wantVerdict(t, signed, exitOK)
		wantVerdict(t, unsigned, exitNotVerified)
	}
}

// wantFailureLine checks a failed sign: exit 3 and one line of error.
func wantFailureLine(t *testing.T, r result) {
	t.Helper()
	if r.code != exitFailure {
		t.Fatalf("sign failed with exit %d, want %d: %+v", r.code, exitFailure, r)
	}
	var errs []string
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if strings.HasPrefix(l, "sign-cli: ") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("want one error line, have %q", r.stderr)
	}
	if strings.Contains(r.stdout, "signed ") {
		t.Fatalf("a failed sign reported a signature: %q", r.stdout)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Fatalf("stack trace: %s", r.stderr)
	}
	t.Logf("failure: %s", errs[0])
}

// wantVerdict accepts the right verdict, or no verdict (exit 3, no verdict
// printed), and nothing else.
func wantVerdict(t *testing.T, r result, want int) {
	t.Helper()
	switch r.code {
	case want:
	case exitFailure:
		if strings.HasPrefix(r.stdout, "verified") || strings.HasPrefix(r.stdout, "NOT VERIFIED") {
			t.Errorf("exit 3 with a verdict: %q", r.stdout)
		}
	default:
		t.Errorf("check answered exit %d, want %d or no answer: %+v", r.code, want, r)
	}
}

// TestSignSIGINT interrupts the built binary with SIGINT while it waits for
// the proof's deployment: exit 3 with one line of error, and a second run
// completes what the first left, deploying once and signing once.
func TestSignSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "sign-cli")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Skipf("cannot build sign-cli here (%v): %s", err, out)
	}
	fw := newFaultWorld(t)
	ref, digest := fw.image("sigint/app", nil)
	// A slow network keeps the run inside the wait long enough to be
	// interrupted there.
	fw.chain.SetLatency(300 * time.Millisecond)
	var env []string
	for k, v := range fw.env() {
		env = append(env, k+"="+v)
	}
	args := append([]string{"sign", "--secret-file", fw.key}, faultSignFlags...)
	cmd := exec.Command(bin, append(args, ref)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errLines []string
	sc := bufio.NewScanner(stderr)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		errLines = append(errLines, line)
		if !signalled && strings.Contains(line, "deploying proof") {
			cmd.Process.Signal(os.Interrupt) // once: a second Ctrl-C may kill
			signalled = true
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		t.Logf("the run finished before the interrupt took effect")
	case errors.As(err, &ee) && ee.ExitCode() == exitFailure:
		wantFailureLine(t, result{stdout: stdout.String(), stderr: strings.Join(errLines, "\n"), code: exitFailure})
	default:
		t.Fatalf("interrupted sign: %v, stderr %q", err, errLines)
	}
	fw.chain.ResetFaults()
	if r := runCLI(t, fw.env(), "", append(args, ref)...); r.code != exitOK {
		t.Fatalf("second sign: %+v", r)
	}
	if n := fw.proofTransactions(fw.proofAddress(t, digest)); n != 1 {
		t.Errorf("the proof was deployed %d times", n)
	}
	if n := fw.signatures(t, ref, digest); n != 1 {
		t.Errorf("the registry holds %d signatures", n)
	}
}
