package everos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxResponseSize bounds one answer of a server, an HTTP body or a
// websocket frame, unless Config.MaxResponseSize says otherwise. The largest
// answer the client asks for is a batch of accounts with their BOC, code and
// data in base64: a proof account takes about 1 KiB, so 32 MiB holds a batch
// of a thousand accounts of 32 KiB each.
const DefaultMaxResponseSize = 32 << 20

// MaxResponseDepth bounds how deeply the arrays and objects of an answer
// nest. The client's queries are answered 4 to 6 levels deep; the bound keeps
// a hostile answer such as megabytes of "[" from exhausting the stack of the
// JSON reader, which recurses once per level.
const MaxResponseDepth = 64

// ErrResponseLimit reports an answer larger than the client's size limit or
// nested deeper than MaxResponseDepth. It is not retried: the server
// answered, and would answer the same.
var ErrResponseLimit = errors.New("response exceeds the client's limits")

// readLimited reads r to its end, failing with ErrResponseLimit once it has
// seen more than limit bytes, so that an endless body costs at most limit.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrResponseLimit, limit)
	}
	return raw, nil
}

// checkDepth fails with ErrResponseLimit when the arrays and objects of the
// JSON text b nest deeper than limit. It counts brackets outside strings and
// does not validate: it runs before any parser sees b. A closing bracket
// never takes the count below zero, so that unbalanced closers cannot hide
// the openers that follow them.
func checkDepth(b []byte, limit int) error {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			// Skip to the closing quote: the first one after an even
			// number of backslashes.
			for {
				j := bytes.IndexByte(b[i+1:], '"')
				if j < 0 {
					return nil
				}
				i += 1 + j
				k := i
				for k > 0 && b[k-1] == '\\' {
					k--
				}
				if (i-k)%2 == 0 {
					break
				}
			}
		case '[', '{':
			depth++
			if depth > limit {
				return fmt.Errorf("%w: nested more than %d levels deep", ErrResponseLimit, limit)
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return nil
}
