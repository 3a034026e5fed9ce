package image

import (
	"fmt"
	"strings"
)

// checkReferenceGrammar applies Docker's reference grammar (the one docker
// pull and the distribution spec use) to s, which go-containerregistry's
// parser accepts more loosely: "not//a/ref" or "-a/b" would otherwise be
// looked up on Docker Hub. It returns what is wrong, or "".
func checkReferenceGrammar(s string) string {
	rest, _, _ := strings.Cut(s, "@") // the digest is checked by the parser
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		tag := rest[i+1:]
		if !validTag(tag) {
			return fmt.Sprintf("tag %q: expected 1 to 128 letters, digits, _, . or -, not starting with . or -", tag)
		}
		rest = rest[:i]
	}
	if len(rest) > 255 {
		return "the repository name is longer than 255 characters"
	}
	parts := strings.Split(rest, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:[") || parts[0] == "localhost") {
		if !validDomain(parts[0]) {
			return fmt.Sprintf("registry %q: expected a host name or address with an optional :port", parts[0])
		}
		parts = parts[1:]
	}
	for _, p := range parts {
		if !validPathComponent(p) {
			return fmt.Sprintf("repository path component %q: expected lower-case letters and digits, separated by ., _, __ or dashes", p)
		}
	}
	return ""
}

func isAlnumLower(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isAlnumLower(c) || c >= 'A' && c <= 'Z' }

// validPathComponent: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
func validPathComponent(p string) bool {
	if p == "" || !isAlnumLower(p[0]) || !isAlnumLower(p[len(p)-1]) {
		return false
	}
	for i := 0; i < len(p); {
		if isAlnumLower(p[i]) {
			i++
			continue
		}
		j := i
		for j < len(p) && !isAlnumLower(p[j]) {
			j++
		}
		sep := p[i:j]
		if sep != "." && sep != "_" && sep != "__" && strings.Trim(sep, "-") != "" {
			return false
		}
		i = j
	}
	return true
}

// validDomain: host components [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
// joined by dots, or a bracketed IPv6 address, then an optional :port.
func validDomain(d string) bool {
	host, port, hasPort := d, "", false
	if strings.HasPrefix(d, "[") {
		end := strings.Index(d, "]")
		if end < 0 {
			return false
		}
		host, port, hasPort = d[1:end], strings.TrimPrefix(d[end+1:], ":"), d[end+1:] != ""
		if hasPort && d[end+1] != ':' || host == "" || strings.Trim(host, "0123456789abcdefABCDEF:.") != "" {
			return false
		}
	} else {
		if i := strings.LastIndex(d, ":"); i >= 0 {
			host, port, hasPort = d[:i], d[i+1:], true
		}
		for _, label := range strings.Split(host, ".") {
			if !validHostLabel(label) {
				return false
			}
		}
	}
	return !hasPort || port != "" && len(port) <= 5 && strings.Trim(port, "0123456789") == ""
}

func validHostLabel(l string) bool {
	if l == "" || !isAlnum(l[0]) || !isAlnum(l[len(l)-1]) {
		return false
	}
	for i := 0; i < len(l); i++ {
		if !isAlnum(l[i]) && l[i] != '-' {
			return false
		}
	}
	return true
}

// validTag: [\w][\w.-]{0,127}
func validTag(t string) bool {
	if t == "" || len(t) > 128 || !(isAlnum(t[0]) || t[0] == '_') {
		return false
	}
	for i := 1; i < len(t); i++ {
		if c := t[i]; !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}
