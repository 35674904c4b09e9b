package terraform

// The Alloy configuration as Alloy's own parser reads it
// (github.com/grafana/alloy/syntax/parser): a syntax error is the parser's
// diagnostic with its position, and the checks read blocks, attributes and
// references from its AST. This file only adapts the AST to the questions
// observability_test.go asks.

import (
	"strconv"

	"github.com/grafana/alloy/syntax/ast"
	"github.com/grafana/alloy/syntax/diag"
	"github.com/grafana/alloy/syntax/parser"
	"github.com/grafana/alloy/syntax/token"
)

type alloyBlock struct {
	name   string // dotted, e.g. mimir.rules.kubernetes or basic_auth
	label  string // "" for an unlabelled block
	pos    token.Position
	attrs  map[string]alloyExpr
	blocks []*alloyBlock
	stmt   *ast.BlockStmt
}

// alloyExpr is an attribute's value; the zero alloyExpr (attribute not set)
// answers every question with "no".
type alloyExpr struct {
	expr ast.Expr
	pos  token.Position
	src  string // the configuration's text, for source()
}

// alloyParse parses the configuration and returns its top-level blocks, or
// the parser's diagnostics.
func alloyParse(filename, src string) ([]*alloyBlock, []string) {
	f, err := parser.ParseFile(filename, []byte(src))
	if err != nil {
		var out []string
		if ds, ok := err.(diag.Diagnostics); ok {
			for _, d := range ds {
				out = append(out, d.Error())
			}
			return nil, out
		}
		return nil, []string{err.Error()}
	}
	var blocks []*alloyBlock
	var out []string
	for _, s := range f.Body {
		switch s := s.(type) {
		case *ast.BlockStmt:
			blocks = append(blocks, alloyBlockOf(s, src))
		case *ast.AttributeStmt:
			// Valid syntax, but a configuration file holds only blocks.
			out = append(out, s.Name.NamePos.Position().String()+": attribute "+s.Name.Name+" outside any block")
		}
	}
	return blocks, out
}

func alloyBlockOf(b *ast.BlockStmt, src string) *alloyBlock {
	out := &alloyBlock{name: b.GetBlockName(), label: b.Label, pos: b.NamePos.Position(), attrs: map[string]alloyExpr{}, stmt: b}
	for _, s := range b.Body {
		switch s := s.(type) {
		case *ast.AttributeStmt:
			out.attrs[s.Name.Name] = alloyExpr{s.Value, s.Name.NamePos.Position(), src}
		case *ast.BlockStmt:
			out.blocks = append(out.blocks, alloyBlockOf(s, src))
		}
	}
	return out
}

func (b *alloyBlock) block(name string) *alloyBlock {
	for _, c := range b.blocks {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (b *alloyBlock) attrStr(name string) (string, bool) { return alloyString(b.attrs[name].expr) }

// walk calls fn for every block below b (not b itself), depth first.
func (b *alloyBlock) walk(fn func(*alloyBlock)) {
	for _, c := range b.blocks {
		fn(c)
		c.walk(fn)
	}
}

// alloyString is the value of a string literal, unquoted as Alloy's vm does
// (strconv.Unquote).
func alloyString(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.LiteralExpr)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}

// envName is X when the expression is sys.env("X") (or the deprecated env("X")).
func (e alloyExpr) envName() (string, bool) {
	call, ok := e.expr.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || alloyDotted(call.Value) != "sys.env" && alloyDotted(call.Value) != "env" {
		return "", false
	}
	return alloyString(call.Args[0])
}

// object reads { "k" = "v", k = "v" } into a map, when every value is a
// string literal.
func (e alloyExpr) object() (map[string]string, bool) {
	obj, ok := e.expr.(*ast.ObjectExpr)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, f := range obj.Fields {
		v, ok := alloyString(f.Value)
		if !ok {
			return nil, false
		}
		out[f.Name.Name] = v
	}
	return out, true
}

// source is the expression's text in the configuration.
func (e alloyExpr) source() string {
	if e.expr == nil {
		return ""
	}
	return e.src[ast.StartPos(e.expr).Position().Offset : ast.EndPos(e.expr).Position().Offset+1]
}

func (e alloyExpr) references() []alloyRef {
	if e.expr == nil {
		return nil
	}
	return alloyReferences(e.expr)
}

// alloyRef is a reference to another component's export, e.g.
// loki.write.cloud.receiver.
type alloyRef struct {
	name string
	pos  token.Position
}

// alloyReferences lists the references below n: every chain of identifiers
// and field accesses, except the function of a call (sys.env) and object
// keys, which are not expressions in the AST.
func alloyReferences(n ast.Node) []alloyRef {
	v := &refVisitor{}
	ast.Walk(v, n)
	return v.refs
}

type refVisitor struct{ refs []alloyRef }

func (v *refVisitor) Visit(n ast.Node) ast.Visitor {
	switch n := n.(type) {
	case *ast.IdentifierExpr, *ast.AccessExpr:
		if name := alloyDotted(n.(ast.Expr)); name != "" {
			v.refs = append(v.refs, alloyRef{name, ast.StartPos(n).Position()})
			return nil
		}
	case *ast.CallExpr:
		for _, a := range n.Args {
			ast.Walk(v, a)
		}
		return nil
	}
	return v
}

// alloyDotted is a.b.c for a chain of identifier and field accesses, "" for
// any other expression.
func alloyDotted(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.IdentifierExpr:
		return e.Ident.Name
	case *ast.AccessExpr:
		if head := alloyDotted(e.Value); head != "" {
			return head + "." + e.Name.Name
		}
	}
	return ""
}
