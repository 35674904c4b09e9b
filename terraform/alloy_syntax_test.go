package terraform

// A small reader for the Alloy configuration syntax, enough for the checks
// in observability_test.go. Alloy's own parser (github.com/grafana/alloy/syntax)
// is not served by the module proxy this repository builds with, so this is
// deliberately not a full parser: it tokenizes (strings, raw strings,
// comments, numbers, identifiers, punctuation), checks that brackets balance,
// and reads blocks, attributes, string literals and objects of strings. What
// it cannot read it keeps as source text; the checks only ask it for what it
// can honestly answer.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

type alloyToken struct {
	kind string // ident, string, number, punct, newline
	text string // for strings: the unquoted value
	line int
}

type alloyBlock struct {
	name   string // dotted, e.g. mimir.rules.kubernetes or basic_auth
	label  string // "" for an unlabelled block
	line   int
	attrs  map[string]alloyExpr
	blocks []*alloyBlock
}

type alloyExpr struct {
	tokens []alloyToken
	line   int
}

// str is the expression's value when it is a single string literal.
func (e alloyExpr) str() (string, bool) {
	if len(e.tokens) == 1 && e.tokens[0].kind == "string" {
		return e.tokens[0].text, true
	}
	return "", false
}

// envName is X when the expression is sys.env("X") (or the deprecated env("X")).
func (e alloyExpr) envName() (string, bool) {
	src := e.source()
	m := regexp.MustCompile(`^(?:sys\.)?env\("([A-Za-z_][A-Za-z0-9_]*)"\)$`).FindStringSubmatch(src)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// object reads { "k" = "v", k = "v" } into a map, when every value is a
// string literal.
func (e alloyExpr) object() (map[string]string, bool) {
	t := e.tokens
	if len(t) < 2 || t[0].text != "{" || t[len(t)-1].text != "}" {
		return nil, false
	}
	out := map[string]string{}
	for i := 1; i < len(t)-1; {
		switch {
		case t[i].kind == "newline" || t[i].text == ",":
			i++
		case i+2 < len(t) && (t[i].kind == "string" || t[i].kind == "ident") && t[i+1].text == "=" && t[i+2].kind == "string":
			out[t[i].text] = t[i+2].text
			i += 3
		default:
			return nil, false
		}
	}
	return out, true
}

func (e alloyExpr) source() string {
	var b strings.Builder
	for _, t := range e.tokens {
		switch t.kind {
		case "newline":
			continue
		case "string":
			b.WriteString(strconv.Quote(t.text))
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

func (b *alloyBlock) block(name string) *alloyBlock {
	for _, c := range b.blocks {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (b *alloyBlock) attrStr(name string) (string, bool) {
	e, ok := b.attrs[name]
	if !ok {
		return "", false
	}
	return e.str()
}

// alloyLex splits src into tokens. Newlines are tokens because they end an
// attribute; those inside ( ) and [ ] are dropped.
func alloyLex(src string) ([]alloyToken, error) {
	var out []alloyToken
	line, depth := 1, 0
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 {
				out = append(out, alloyToken{"newline", "\n", line})
			}
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated comment", line)
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				if j < len(src) && src[j] == '\n' {
					return nil, fmt.Errorf("line %d: newline in a string", line)
				}
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated string", line)
			}
			v, err := strconv.Unquote(src[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("line %d: bad string %s: %v", line, src[i:j+1], err)
			}
			out = append(out, alloyToken{"string", v, line})
			i = j + 1
		case c == '`':
			end := strings.IndexByte(src[i+1:], '`')
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated raw string", line)
			}
			out = append(out, alloyToken{"string", src[i+1 : i+1+end], line})
			line += strings.Count(src[i+1:i+1+end], "\n")
			i += end + 2
		case isIdentStart(c):
			j := i
			for j < len(src) && (isIdentStart(src[j]) || (src[j] >= '0' && src[j] <= '9')) {
				j++
			}
			out = append(out, alloyToken{"ident", src[i:j], line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || isIdentStart(src[j])) {
				j++
			}
			out = append(out, alloyToken{"number", src[i:j], line})
			i = j
		case strings.ContainsRune("{}[](),.=!<>+-*/%&|:?", rune(c)):
			if c == '(' || c == '[' {
				depth++
			}
			if (c == ')' || c == ']') && depth > 0 {
				depth--
			}
			out = append(out, alloyToken{"punct", string(c), line})
			i++
		default:
			return nil, fmt.Errorf("line %d: unexpected character %q", line, c)
		}
	}
	return out, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// alloyBalance reports brackets that do not pair up, outside strings and
// comments.
func alloyBalance(tokens []alloyToken) []string {
	pairs := map[string]string{")": "(", "]": "[", "}": "{"}
	type open struct {
		text string
		line int
	}
	var stack []open
	var out []string
	for _, t := range tokens {
		if t.kind != "punct" {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			stack = append(stack, open{t.text, t.line})
		case ")", "]", "}":
			if len(stack) == 0 || stack[len(stack)-1].text != pairs[t.text] {
				out = append(out, fmt.Sprintf("line %d: unbalanced %q", t.line, t.text))
				continue
			}
			stack = stack[:len(stack)-1]
		}
	}
	for _, o := range stack {
		out = append(out, fmt.Sprintf("line %d: %q is never closed", o.line, o.text))
	}
	return out
}

// alloyParse reads the top-level blocks. It assumes balanced brackets.
func alloyParse(src string) ([]*alloyBlock, []string) {
	tokens, err := alloyLex(src)
	if err != nil {
		return nil, []string{err.Error()}
	}
	if bad := alloyBalance(tokens); len(bad) > 0 {
		return nil, bad
	}
	p := &alloyParser{t: tokens}
	root := p.body(false)
	if len(root.attrs) > 0 {
		for name, e := range root.attrs {
			p.errs = append(p.errs, fmt.Sprintf("line %d: attribute %s outside any block", e.line, name))
		}
	}
	return root.blocks, p.errs
}

type alloyParser struct {
	t    []alloyToken
	i    int
	errs []string
}

func (p *alloyParser) peek(k int) alloyToken {
	if p.i+k < len(p.t) {
		return p.t[p.i+k]
	}
	return alloyToken{kind: "eof"}
}

func (p *alloyParser) body(nested bool) *alloyBlock {
	b := &alloyBlock{attrs: map[string]alloyExpr{}}
	for p.i < len(p.t) {
		t := p.peek(0)
		switch {
		case t.kind == "newline":
			p.i++
		case t.text == "}" && nested:
			p.i++
			return b
		case t.kind == "ident":
			name, line := p.dotted()
			switch next := p.peek(0); {
			case next.text == "=":
				p.i++
				b.attrs[name] = p.expr(line)
			case next.kind == "string" && p.peek(1).text == "{":
				p.i += 2
				inner := p.body(true)
				inner.name, inner.label, inner.line = name, next.text, line
				b.blocks = append(b.blocks, inner)
			case next.text == "{":
				p.i++
				inner := p.body(true)
				inner.name, inner.line = name, line
				b.blocks = append(b.blocks, inner)
			default:
				p.errs = append(p.errs, fmt.Sprintf("line %d: %s is neither an attribute nor a block", line, name))
				p.skipLine()
			}
		default:
			p.errs = append(p.errs, fmt.Sprintf("line %d: unexpected %q", t.line, t.text))
			p.skipLine()
		}
	}
	if nested {
		p.errs = append(p.errs, "a block is not closed")
	}
	return b
}

func (p *alloyParser) dotted() (string, int) {
	t := p.peek(0)
	name := t.text
	p.i++
	for p.peek(0).text == "." && p.peek(1).kind == "ident" {
		name += "." + p.peek(1).text
		p.i += 2
	}
	return name, t.line
}

// expr takes tokens up to the newline that ends the attribute, across
// object literals.
func (p *alloyParser) expr(line int) alloyExpr {
	e := alloyExpr{line: line}
	depth := 0
	for p.i < len(p.t) {
		t := p.peek(0)
		if depth == 0 && (t.kind == "newline" || t.text == "}") {
			break
		}
		if t.text == "{" {
			depth++
		}
		if t.text == "}" {
			depth--
		}
		e.tokens = append(e.tokens, t)
		p.i++
	}
	return e
}

func (p *alloyParser) skipLine() {
	for p.i < len(p.t) && p.peek(0).kind != "newline" {
		p.i++
	}
}

// references lists the dotted names an expression refers to (not object
// keys, not function names), e.g. loki.write.cloud.receiver.
func (e alloyExpr) references() []string {
	var out []string
	t := e.tokens
	for i := 0; i < len(t); i++ {
		if t[i].kind != "ident" || (i > 0 && t[i-1].text == ".") {
			continue
		}
		name, j := t[i].text, i+1
		for j+1 < len(t) && t[j].text == "." && t[j+1].kind == "ident" {
			name += "." + t[j+1].text
			j += 2
		}
		next := ""
		if j < len(t) {
			next = t[j].text
		}
		if next != "(" && next != "=" && !alloyKeywords[name] {
			out = append(out, name)
		}
		i = j - 1
	}
	return out
}

var alloyKeywords = map[string]bool{"true": true, "false": true, "null": true}

// walk calls fn for every block below b (not b itself), depth first.
func (b *alloyBlock) walk(fn func(*alloyBlock)) {
	for _, c := range b.blocks {
		fn(c)
		c.walk(fn)
	}
}
