package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// App is what a command sees of the world: its streams and environment.
// Tests run commands in-process with their own App.
type App struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string

	quiet bool
	// args is the command line Main ran, for a command that hands it to
	// sign-cli-build whole (companion.go).
	args []string
	// ctx is the command line's context: cancelled by Ctrl-C, it ends any
	// wait, a read of standard input included.
	ctx context.Context
	// secrets are never printed whole; Err passes through them, and rawErr
	// is the unfiltered stream for BuildKit's display, which needs to see
	// the terminal itself.
	secrets secrets
	// warned are the warnings printed so far.
	warned   map[string]bool
	warnedMu sync.Mutex
	rawErr   io.Writer
	trace    *requestTrace // request counts, with SIGN_CLI_TRACE_REQUESTS set
}

// Main runs one sign-cli command line and returns its exit code. Errors are
// printed as one line on standard error, never as a stack trace.
func Main(ctx context.Context, args []string, app *App) (code int) {
	if app.Getenv == nil {
		app.Getenv = os.Getenv
	}
	app.ctx = ctx
	app.args = args
	for _, name := range secretEnv {
		app.secrets.add(app.Getenv(name))
	}
	app.secrets.fromArgs(args)
	app.rawErr = app.Err
	app.Err = redactingWriter{w: app.Err, s: &app.secrets}
	defer func() {
		// A panic is a bug, but the user still gets one line and exit 3.
		if r := recover(); r != nil {
			fmt.Fprintf(app.Err, "sign-cli: internal error: %v\n", r)
			code = exitFailure
		}
	}()
	if v := app.Getenv(traceEnv); v != "" && v != "0" {
		app.trace = newRequestTrace()
		if v == "all" {
			var mu sync.Mutex
			app.trace.each = func(method, url string, status int) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(app.Err, "request %s %s: %d\n", method, url, status)
			}
		}
		defer func() { fmt.Fprint(app.Err, app.trace.String()) }()
	}
	root := NewCmdRoot(app)
	root.SetArgs(args)
	root.SetIn(app.In)
	root.SetOut(app.Out)
	root.SetErr(app.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code = exitCode(err)
	if !errors.Is(err, errSilent) {
		fmt.Fprintf(app.Err, "sign-cli: %s\n", app.errorText(err))
	}
	return code
}

// errorText is an error as printed: on one line, safe for a terminal, and
// with any secret the run was given shown only abbreviated.
func (a *App) errorText(err error) string {
	return a.secrets.replace(oneLine(err.Error()))
}

// oneLine keeps an error on a single line whatever the libraries put in it,
// and makes it safe for a terminal: error texts carry what servers answered,
// and an escape sequence in them must not reach the user's terminal as one.
// Control characters and invalid UTF-8 are shown as Go escapes.
func oneLine(s string) string {
	return printable(strings.Join(strings.Fields(s), " "))
}

// printable replaces control characters (C0, DEL, C1) and bytes that are not
// UTF-8 with their Go escapes, so that text from outside sign-cli cannot move
// the cursor, retitle the window or hide what precedes it.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// NewCmdRoot builds the sign-cli command tree.
func NewCmdRoot(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "sign-cli",
		Short: "Sign container images on the Everscale blockchain and in their registry",
		Long: `sign-cli signs container images with an Everscale wallet's Ed25519 key.

Each signature is recorded twice: as a proof contract on the Everscale
blockchain, whose address is derived from the signer's public key and the
image digest, and as a cosign signature next to the image in its registry,
which 'cosign verify --key' accepts with no blockchain access.

Exit codes: 0 success (verified), 1 checked and not verified, 2 bad usage or
input, 3 network, registry or chain failure.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError("unknown command %q; run 'sign-cli --help' for the list", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageError("%v", err)
	})
	root.SetVersionTemplate("sign-cli {{.Version}}\n")
	root.PersistentFlags().BoolVarP(&app.quiet, "quiet", "q", false, "print no progress on standard error")
	root.AddCommand(
		NewCmdVersion(app),
		NewCmdKeygen(app),
		NewCmdDigest(app),
		NewCmdAddr(app),
		NewCmdSign(app),
		NewCmdBuildAndSign(app),
		NewCmdSend(app),
		NewCmdCheck(app),
		NewCmdDevnet(app),
		NewCmdPubkey(app),
		NewCmdSBOM(app),
		NewCmdAnytree(app),
	)
	return root
}

// progress prints a progress line on standard error unless --quiet.
func (a *App) progress(format string, args ...any) {
	if a.quiet {
		return
	}
	fmt.Fprintln(a.Err, printable(fmt.Sprintf(format, args...)))
}

// warn prints a warning on standard error, even with --quiet; the same
// warning only once per run.
func (a *App) warn(format string, args ...any) {
	line := "warning: " + printable(fmt.Sprintf(format, args...))
	a.warnedMu.Lock()
	defer a.warnedMu.Unlock()
	if a.warned[line] {
		return
	}
	if a.warned == nil {
		a.warned = map[string]bool{}
	}
	a.warned[line] = true
	fmt.Fprintln(a.Err, line)
}

// exactArgs is cobra.ExactArgs with a usage exit code and a clearer message.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError("%s takes %s, got %d argument(s)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}
