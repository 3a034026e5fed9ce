package goshfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"gopkg.in/yaml.v3"
)

// MaxSize is the largest goshfile Parse accepts. Real goshfiles are a few
// kilobytes; the bound keeps a hostile input from costing much.
const MaxSize = 1 << 20

// Parse reads a goshfile and checks it. Filename is used in error messages
// only. A goshfile that cannot be used yields an ErrorList holding every
// problem found, each with its line and column; the returned error then
// matches ErrInvalid.
func Parse(filename string, data []byte) (*File, error) {
	p := &parser{filename: filename}
	f := p.parse(data)
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int {
			if a.Pos.Line != b.Pos.Line {
				return a.Pos.Line - b.Pos.Line
			}
			return a.Pos.Column - b.Pos.Column
		})
		return nil, p.errs
	}
	return f, nil
}

type parser struct {
	filename string
	errs     ErrorList
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	var pos Position
	if n != nil {
		pos = Position{Line: n.Line, Column: n.Column}
	}
	p.errs = append(p.errs, &Error{Filename: p.filename, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// yamlLine finds the line number in yaml.v3's error texts, which carry no
// column: "yaml: line 3: mapping values are not allowed in this context".
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3's parser, as opposed to its
// scanner. yaml.v3 (decode.go, parser.fail) adds one to the 0-based line of
// scanner errors only, so a parser error names the line before the one
// where the unfinished construct starts; line numbers of these are shifted
// back here.
var parserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found undefined tag handle",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

func (p *parser) syntaxError(err error) {
	for _, msg := range strings.Split(err.Error(), "\n") {
		msg = strings.TrimSpace(msg)
		if msg == "" || msg == "yaml: unmarshal errors:" {
			continue
		}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			if slices.Contains(parserProblems, m[2]) {
				line++
			}
			p.errs = append(p.errs, &Error{Filename: p.filename, Pos: Position{Line: line}, Msg: "YAML syntax: " + m[2]})
			continue
		}
		e := &Error{Filename: p.filename, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
		if slices.Contains(parserProblems, strings.TrimPrefix(msg, "yaml: ")) {
			// Both marks were on the first line, which yaml.v3 leaves out.
			e.Pos.Line = 1
		}
		p.errs = append(p.errs, e)
	}
}

// decode reads the single YAML document. yaml.v3 has panicked on some
// malformed inputs in the past; a panic there is turned into an error so
// that no input can bring down a build.
func (p *parser) decode(data []byte) (doc *yaml.Node) {
	defer func() {
		if r := recover(); r != nil {
			doc = nil
			p.errs = append(p.errs, &Error{Filename: p.filename, Msg: fmt.Sprintf("YAML syntax: %v", r)})
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil {
		if errors.Is(err, io.EOF) {
			p.errs = append(p.errs, &Error{Filename: p.filename, Msg: "the file is empty"})
		} else {
			p.syntaxError(err)
		}
		return nil
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		p.errorf(&second, "a goshfile holds one YAML document; a second one starts here")
		return nil
	case !errors.Is(err, io.EOF):
		p.syntaxError(err)
		return nil
	}
	return &first
}

func (p *parser) parse(data []byte) *File {
	if len(data) > MaxSize {
		p.errs = append(p.errs, &Error{Filename: p.filename, Msg: fmt.Sprintf("the file is %d bytes long; the limit is %d", len(data), MaxSize)})
		return nil
	}
	doc := p.decode(data)
	if doc == nil {
		return nil
	}
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			p.errs = append(p.errs, &Error{Filename: p.filename, Msg: "the file is empty"})
			return nil
		}
		root = root.Content[0]
	}
	root = deref(root)
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		p.errs = append(p.errs, &Error{Filename: p.filename, Msg: "the file is empty"})
		return nil
	}
	f := &File{}
	fields := p.mapping(root, "the goshfile", map[string]func(k, v *yaml.Node){
		"apiVersion": func(_, v *yaml.Node) { f.APIVersion = p.apiVersion(v) },
		"image": func(_, v *yaml.Node) {
			f.Image = p.image(v)
			f.ImagePos = Position{Line: v.Line, Column: v.Column}
		},
		"env": func(_, v *yaml.Node) { f.Env = p.env(v, "env") },
		"workdir": func(_, v *yaml.Node) {
			f.Workdir = p.str(v, "workdir")
			if f.Workdir != "" && !path.IsAbs(f.Workdir) {
				p.errorf(v, "workdir %q must be an absolute path", f.Workdir)
			}
		},
		"user":       func(_, v *yaml.Node) { f.User = p.user(v, "user") },
		"entrypoint": func(_, v *yaml.Node) { f.Entrypoint = p.strList(v, "entrypoint", false) },
		"cmd":        func(_, v *yaml.Node) { f.Cmd = p.strList(v, "cmd", false) },
		"labels":     func(_, v *yaml.Node) { f.Labels = p.labels(v) },
		"steps":      func(_, v *yaml.Node) { f.Steps = p.steps(v) },
	})
	if fields == nil {
		return nil
	}
	if _, ok := fields["apiVersion"]; !ok {
		p.errorf(root, "apiVersion is missing; write \"apiVersion: 1\"")
	}
	if _, ok := fields["image"]; !ok {
		p.errorf(root, "image is missing; name the base image, or \"scratch\" for none")
	}
	return f
}

// deref follows YAML aliases (*name) to the node they stand for.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// mapping walks a mapping node whose keys must all be in fields, calling
// each field's handler once. It returns the key nodes seen, by name, or nil
// when n is not a mapping.
func (p *parser) mapping(n *yaml.Node, what string, fields map[string]func(k, v *yaml.Node)) map[string]*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping, found %s", what, kindName(n))
		return nil
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "keys of %s must be names, found %s", what, kindName(k))
			continue
		}
		if k.Value == "<<" {
			p.errorf(k, "merge keys (<<) are not supported")
			continue
		}
		handle, ok := fields[k.Value]
		if !ok {
			p.errorf(k, "unknown field %q in %s%s", k.Value, what, suggest(k.Value, fields))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, "field %q repeated (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		handle(k, v)
	}
	return seen
}

// suggest names the known field closest to a misspelt one, or lists them
// all when none is close.
func suggest(name string, fields map[string]func(k, v *yaml.Node)) string {
	var names []string
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)
	best, bestDist := "", 3
	for _, f := range names {
		if d := editDistance(strings.ToLower(name), strings.ToLower(f)); d < bestDist {
			best, bestDist = f, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return fmt.Sprintf(" (known fields: %s)", strings.Join(names, ", "))
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// scalar returns the text of a non-null scalar. YAML reads `1000` and
// `true` as numbers and booleans; where a goshfile wants text they are
// taken as written.
func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s must be a string, found %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) str(n *yaml.Node, what string) string {
	s, ok := p.scalar(n, what)
	if !ok {
		return ""
	}
	if s == "" {
		p.errorf(n, "%s must not be empty", what)
	}
	if strings.ContainsRune(s, 0) {
		p.errorf(n, "%s must not contain a NUL character", what)
		return ""
	}
	return s
}

// boolean reads true or false, and nothing YAML 1.1 would also take for
// one (yes, on).
func (p *parser) boolean(n *yaml.Node, what string) bool {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" && (n.Value == "true" || n.Value == "false") {
		return n.Value == "true"
	}
	p.errorf(n, "%s must be true or false, found %s", what, kindName(n))
	return false
}

func (p *parser) apiVersion(n *yaml.Node) int {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" && n.Value == "1" {
		return 1
	}
	p.errorf(n, "apiVersion must be 1, found %s", kindName(n))
	return 0
}

func (p *parser) image(n *yaml.Node) string {
	s := p.str(n, "image")
	if s == "" || s == "scratch" {
		return s
	}
	if _, err := reference.ParseNormalizedNamed(s); err != nil {
		p.errorf(n, "image %q is not a valid image reference: %v", s, err)
	}
	return s
}

// strList reads a list of strings. nonEmpty demands at least one element.
func (p *parser) strList(n *yaml.Node, what string, nonEmpty bool) []string {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list of strings, found %s", what, kindName(n))
		return nil
	}
	if nonEmpty && len(n.Content) == 0 {
		p.errorf(n, "%s must not be empty", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		s, ok := p.scalar(item, fmt.Sprintf("%s[%d]", what, i))
		if ok && strings.ContainsRune(s, 0) {
			p.errorf(item, "%s[%d] must not contain a NUL character", what, i)
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) env(n *yaml.Node, what string) []EnvVar {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping of names to values, found %s", what, kindName(n))
		return nil
	}
	var out []EnvVar
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		name, ok := p.scalar(k, what+" name")
		if !ok {
			continue
		}
		switch {
		case name == "":
			p.errorf(k, "%s: a variable name must not be empty", what)
			continue
		case strings.ContainsAny(name, "=\x00"):
			p.errorf(k, "%s: variable name %q must not contain '=' or NUL", what, name)
			continue
		}
		if line, dup := seen[name]; dup {
			p.errorf(k, "%s: variable %q repeated (first at line %d)", what, name, line)
			continue
		}
		seen[name] = k.Line
		value, ok := p.scalar(v, fmt.Sprintf("%s value of %s", what, name))
		if ok && strings.ContainsRune(value, 0) {
			p.errorf(v, "%s: value of %s must not contain a NUL character", what, name)
		}
		out = append(out, EnvVar{Name: name, Value: value})
	}
	return out
}

func (p *parser) labels(n *yaml.Node) map[string]string {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "labels must be a mapping of keys to values, found %s", kindName(n))
		return nil
	}
	out := map[string]string{}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		key, ok := p.scalar(k, "label key")
		if !ok {
			continue
		}
		if key == "" {
			p.errorf(k, "labels: a key must not be empty")
			continue
		}
		if line, dup := lines[key]; dup {
			p.errorf(k, "labels: key %q repeated (first at line %d)", key, line)
			continue
		}
		lines[key] = k.Line
		value, _ := p.scalar(v, fmt.Sprintf("label %s", key))
		out[key] = value
	}
	return out
}

// user accepts the forms an OCI image config does: a name or id, with an
// optional group after a colon.
func (p *parser) user(n *yaml.Node, what string) string {
	s := p.str(n, what)
	if s == "" {
		return ""
	}
	if !validUser(s) {
		p.errorf(n, "%s %q must be a user, or user:group (names or numeric ids)", what, s)
	}
	return s
}

var userPart = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.$-]*$`)

func validUser(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) > 2 {
		return false
	}
	for _, part := range parts {
		if !userPart.MatchString(part) {
			return false
		}
	}
	return true
}

func (p *parser) steps(n *yaml.Node) []Step {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "steps must be a list, found %s", kindName(n))
		return nil
	}
	out := make([]Step, 0, len(n.Content))
	for i, item := range n.Content {
		out = append(out, p.step(deref(item), i))
	}
	return out
}

func (p *parser) step(n *yaml.Node, index int) Step {
	s := Step{Pos: Position{Line: n.Line, Column: n.Column}}
	what := fmt.Sprintf("step %d", index+1)
	fields := p.mapping(n, what, map[string]func(k, v *yaml.Node){
		"name":    func(_, v *yaml.Node) { s.Name = p.str(v, what+" name") },
		"env":     func(_, v *yaml.Node) { s.Env = p.env(v, what+" env") },
		"workdir": func(_, v *yaml.Node) { s.Workdir = p.str(v, what+" workdir") },
		"user":    func(_, v *yaml.Node) { s.User = p.user(v, what+" user") },
		"run":     func(_, v *yaml.Node) { s.Run = p.run(v, what) },
		"copy":    func(_, v *yaml.Node) { s.Copy = p.copy(v, what) },
		"cargo":   func(_, v *yaml.Node) { s.Cargo = p.boolean(v, what+" cargo") },
	})
	if fields == nil {
		return s
	}
	if s.Name != "" {
		what = fmt.Sprintf("step %d (%s)", index+1, s.Name)
	}
	run, hasRun := fields["run"]
	cp, hasCopy := fields["copy"]
	switch {
	case hasRun && hasCopy:
		p.errorf(cp, "%s has both run and copy (first at line %d); write them as two steps", what, run.Line)
	case !hasRun && !hasCopy:
		p.errorf(n, "%s needs either run or copy", what)
	case hasCopy:
		if k, ok := fields["env"]; ok {
			p.errorf(k, "%s: env applies to run steps only", what)
		}
		if k, ok := fields["user"]; ok {
			p.errorf(k, "%s: user applies to run steps only; copy steps take chown", what)
		}
		if k, ok := fields["cargo"]; ok {
			p.errorf(k, "%s: cargo applies to run steps only", what)
		}
	}
	return s
}

func (p *parser) run(n *yaml.Node, what string) *Run {
	r := &Run{}
	fields := p.mapping(n, what+" run", map[string]func(k, v *yaml.Node){
		"command": func(_, v *yaml.Node) {
			r.Command = p.strList(v, what+" command", true)
			if len(r.Command) > 0 && r.Command[0] == "" {
				p.errorf(deref(v), "%s command: the program name must not be empty", what)
			}
		},
		"args":  func(_, v *yaml.Node) { r.Args = p.strList(v, what+" args", false) },
		"cache": func(_, v *yaml.Node) { r.Cache = p.caches(v, what) },
	})
	if fields == nil {
		return r
	}
	if _, ok := fields["command"]; !ok {
		p.errorf(n, "%s run needs a command", what)
	}
	return r
}

func (p *parser) caches(n *yaml.Node, what string) []CacheMount {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s cache must be a list of mounts, found %s", what, kindName(n))
		return nil
	}
	var out []CacheMount
	targets := map[string]int{}
	for i, item := range n.Content {
		item = deref(item)
		m := CacheMount{Sharing: SharingShared}
		mwhat := fmt.Sprintf("%s cache[%d]", what, i)
		fields := p.mapping(item, mwhat, map[string]func(k, v *yaml.Node){
			"target": func(_, v *yaml.Node) {
				m.Target = p.str(v, mwhat+" target")
				switch {
				case m.Target == "":
				case !path.IsAbs(m.Target):
					p.errorf(v, "%s target %q must be an absolute path", mwhat, m.Target)
				case path.Clean(m.Target) == "/":
					p.errorf(v, "%s target must not be the root directory", mwhat)
				default:
					m.Target = path.Clean(m.Target)
					if line, dup := targets[m.Target]; dup {
						p.errorf(v, "%s target %q is already mounted (line %d)", mwhat, m.Target, line)
					}
					targets[m.Target] = v.Line
				}
			},
			"id": func(_, v *yaml.Node) { m.ID = p.str(v, mwhat+" id") },
			"sharing": func(_, v *yaml.Node) {
				s, ok := p.scalar(v, mwhat+" sharing")
				if !ok {
					return
				}
				switch Sharing(s) {
				case SharingShared, SharingPrivate, SharingLocked:
					m.Sharing = Sharing(s)
				default:
					p.errorf(v, "%s sharing must be shared, private or locked, found %q", mwhat, s)
				}
			},
		})
		if fields == nil {
			continue
		}
		if _, ok := fields["target"]; !ok {
			p.errorf(item, "%s needs a target", mwhat)
		}
		if m.ID == "" {
			m.ID = m.Target
		}
		out = append(out, m)
	}
	return out
}

func (p *parser) copy(n *yaml.Node, what string) *Copy {
	c := &Copy{}
	cwhat := what + " copy"
	fields := p.mapping(n, cwhat, map[string]func(k, v *yaml.Node){
		"src": func(_, v *yaml.Node) {
			if v.Kind == yaml.SequenceNode {
				c.Src = p.strList(v, cwhat+" src", true)
			} else if s := p.str(v, cwhat+" src"); s != "" {
				c.Src = []string{s}
			}
			for _, s := range c.Src {
				if s == "" {
					p.errorf(v, "%s src: a path must not be empty", cwhat)
				} else if escapes(s) {
					p.errorf(v, "%s src %q leaves the build context", cwhat, s)
				}
			}
		},
		"dest":  func(_, v *yaml.Node) { c.Dest = p.str(v, cwhat+" dest") },
		"chown": func(_, v *yaml.Node) { c.Chown = p.user(v, cwhat+" chown") },
		"mode": func(_, v *yaml.Node) {
			s, ok := p.scalar(v, cwhat+" mode")
			if !ok {
				return
			}
			m, err := strconv.ParseUint(strings.TrimPrefix(s, "0o"), 8, 32)
			if err != nil || m > 0o7777 {
				p.errorf(v, "%s mode must be octal permissions such as \"0644\", found %q", cwhat, s)
				return
			}
			mode := uint32(m)
			c.Mode = &mode
		},
	})
	if fields == nil {
		return c
	}
	if _, ok := fields["src"]; !ok {
		p.errorf(n, "%s needs src", cwhat)
	}
	if _, ok := fields["dest"]; !ok {
		p.errorf(n, "%s needs dest", cwhat)
	}
	return c
}

// escapes says whether a path inside the build context climbs out of it.
// BuildKit would refuse it too, but later and with less context.
func escapes(p string) bool {
	c := path.Clean(p)
	return c == ".." || strings.HasPrefix(c, "../")
}
