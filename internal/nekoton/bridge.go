// Package nekoton runs Everscale's own implementation (nekoton-wasm, Broxus's
// Rust library built to WASM, under Node.js) beside Go tests, so that what the
// Go code encodes, decodes and executes can be checked against it.
//
// Open starts a Node.js process running tools/nekoton/bridge.mjs (embedded
// in the binary), with the npm packages found by FindNodeModules, and Close
// ends it. Tests share one bridge per test binary through package
// nekotontest; a program that runs Everscale's executor outside tests
// (`sign-cli devnet --executor nekoton`) opens its own.
//
// Requests and answers are JSON lines: {"id":N,"method":"name","params":[...]}
// and {"id":N,"result":...} or {"id":N,"error":"text"}.
//
// Methods:
//
//   - Every exported function of nekoton-wasm 1.8.4, by name, with positional
//     params: getBocHash, packIntoCell, unpackFromCell, mergeTvc,
//     executeLocal, createExternalMessageWithoutSignature, encodeInternalInput,
//     decodeInput, unpackContractFields, parseFullAccountBoc, makeFullAccountBoc,
//     ed25519_sign, verifySignature, … (see node_modules/nekoton-wasm/
//     nekoton_wasm_node.d.ts). Two param spellings are rewritten: Clock
//     (the value {"$clock": ms}) becomes a clock that reads exactly ms during
//     the call, and EverConfig ({"$config": "ever"}) becomes Everscale's main
//     blockchain config, so executeLocal(EverConfig, account, msg, utime,
//     false) needs no 34 kB string on every call.
//   - everConfig(): Everscale's main blockchain config, base64 BOC, read
//     from the installed @broxus/locklift-network package.
//   - compileFunc(sources map[file]text, targets []file): the FunC compiler
//     (@ton-community/func-js); {codeBoc (base64), fiftCode, warnings}.
//   - ed25519KeyPair(secretHex): {publicKey, secretKey} from a 32-byte seed.
//   - ed25519Sign(secretHex, dataBase64): plain Ed25519 signature, base64.
//   - externalMessage(ExternalMessageParams): nekoton's createExternalMessage
//     with the time and expire headers pinned, signed with a secret key or a
//     given signature, or unsigned; see ExternalMessage.
//   - transactionInfo(txBoc): fees, gas and outcome of a transaction; see
//     TransactionInfo.
//   - messageInfo(msgBoc): header, StateInit and body of a message; see
//     MessageInfo.
//   - execute(account, msg, utime): executeLocal with the main config and
//     signature checks on, and transactionInfo of the transaction; see
//     ExecuteDecoded.
//   - methods(): the names the bridge answers to.
//
// Errors thrown by nekoton (strings or objects) come back as the error's
// text, wrapped in a *CallError.
package nekoton

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gosh-sh/sign-cli/internal/tailbuf"
)

// Clock is a param that nekoton receives as a ClockWithOffset reading
// exactly ms milliseconds since the Unix epoch.
func Clock(ms int64) any { return map[string]int64{"$clock": ms} }

// EverConfig is a param that the bridge replaces with Everscale's main
// blockchain config (base64 BOC).
var EverConfig any = map[string]string{"$config": "ever"}

// ErrClosed is returned by calls on a bridge whose process has ended.
var ErrClosed = errors.New("nekoton bridge process has ended")

// ErrAnswerTooLong is returned when the bridge writes a line longer than
// MaxAnswerLine: the process is ended rather than read without limit.
var ErrAnswerTooLong = errors.New("nekoton bridge wrote an over-long line")

// MaxAnswerLine bounds one line of the bridge's output. The largest answers
// carry an account and a transaction as base64 BOCs: Everscale's size
// limits (config param 43) keep an account's state under 2^16 cells of at
// most 1023 bits, about 8 MiB, so 11 MiB in base64; a block stays under
// its 2 MiB hard limit. 64 MiB leaves a wide margin above both.
const MaxAnswerLine = 64 << 20

// CallError is an error reported by the bridge for one call: nekoton's own
// message, or the bridge's complaint about the request.
type CallError struct {
	Method  string
	Message string
}

func (e *CallError) Error() string { return fmt.Sprintf("nekoton %s: %s", e.Method, e.Message) }

// Bridge is a running bridge process. It is safe for concurrent use.
type Bridge struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tailbuf.Buffer

	writeMu   sync.Mutex
	closeOnce sync.Once

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan response
	err     error         // set once the process has ended
	done    chan struct{} // closed once the process has ended
}

type request struct {
	ID     uint64 `json:"id"`
	Method string `json:"method"`
	Params []any  `json:"params"`
}

type response struct {
	ID     *uint64         `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *string         `json:"error"`
}

// startProcess runs the bridge script with node, its packages taken from
// the modules directory.
func startProcess(node, script, modules string) (*Bridge, error) {
	cmd := exec.Command(node, script, modules)
	cmd.Dir = filepath.Dir(script)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("bridge stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("bridge stdout: %w", err)
	}
	b := &Bridge{
		cmd:     cmd,
		stdin:   stdin,
		stderr:  &tailbuf.Buffer{},
		pending: make(map[uint64]chan response),
		done:    make(chan struct{}),
	}
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", node, err)
	}
	go b.readLoop(stdout)
	return b, nil
}

func (b *Bridge) readLoop(stdout io.Reader) {
	r := bufio.NewReaderSize(stdout, 1<<20)
	var loopErr error
	for {
		line, err := readLine(r, MaxAnswerLine)
		if len(bytes.TrimSpace(line)) > 0 {
			var resp response
			if jerr := json.Unmarshal(line, &resp); jerr != nil || resp.ID == nil {
				loopErr = fmt.Errorf("bridge wrote a line that is not an answer: %.200q", line)
				break
			}
			b.mu.Lock()
			ch := b.pending[*resp.ID]
			delete(b.pending, *resp.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- resp
			}
		}
		if err != nil {
			loopErr = err
			break
		}
	}
	if !errors.Is(loopErr, io.EOF) {
		// Nobody reads the process's output any more: one that still writes
		// would block on the pipe, and Wait with it.
		b.cmd.Process.Kill()
	}
	waitErr := b.cmd.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.err = fmt.Errorf("%w (%w; exit: %v; stderr: %s)", ErrClosed, loopErr, waitErr, strings.TrimSpace(b.stderr.String()))
	for id, ch := range b.pending {
		close(ch)
		delete(b.pending, id)
	}
	close(b.done)
}

// readLine reads up to and including the next newline, or to the end of r,
// and fails with ErrAnswerTooLong once the line passes max bytes, so that
// an endless line costs max bytes of memory, not all of it.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > max {
			return nil, fmt.Errorf("%w: more than %d MiB without a newline", ErrAnswerTooLong, max>>20)
		}
		line = append(line, chunk...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

// Call invokes method with positional params (each encoded as JSON) and
// returns the raw JSON result.
func (b *Bridge) Call(method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	b.mu.Lock()
	if b.err != nil {
		err := b.err
		b.mu.Unlock()
		return nil, err
	}
	b.nextID++
	id := b.nextID
	ch := make(chan response, 1)
	b.pending[id] = ch
	b.mu.Unlock()

	line, err := json.Marshal(request{ID: id, Method: method, Params: params})
	if err != nil {
		b.forget(id)
		return nil, fmt.Errorf("encoding params of %s: %w", method, err)
	}
	line = append(line, '\n')
	b.writeMu.Lock()
	_, err = b.stdin.Write(line)
	b.writeMu.Unlock()
	if err != nil {
		b.forget(id)
		// A write fails when the process has gone; say so once the reader
		// has seen it end, rather than report a bare broken pipe.
		select {
		case <-b.done:
			b.mu.Lock()
			defer b.mu.Unlock()
			return nil, b.err
		case <-time.After(5 * time.Second):
			return nil, fmt.Errorf("sending %s to the bridge: %w", method, err)
		}
	}
	resp, ok := <-ch
	if !ok {
		b.mu.Lock()
		err := b.err
		b.mu.Unlock()
		return nil, err
	}
	if resp.Error != nil {
		return nil, &CallError{Method: method, Message: *resp.Error}
	}
	return resp.Result, nil
}

// CallInto is Call with the result decoded into out.
func (b *Bridge) CallInto(out any, method string, params ...any) error {
	raw, err := b.Call(method, params...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decoding result of %s: %w", method, err)
	}
	return nil
}

func (b *Bridge) forget(id uint64) {
	b.mu.Lock()
	delete(b.pending, id)
	b.mu.Unlock()
}
