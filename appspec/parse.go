package appspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"
)

// MaxFileBytes bounds an app.yaml. A real one is well under 4 KiB; the bound
// keeps parsing time and memory small for hostile input.
const MaxFileBytes = 64 << 10

// maxDepth bounds nesting; the contract is at most five levels deep.
const maxDepth = 16

// Error is everything wrong with one app.yaml, each problem with its field
// path and the fix.
type Error struct {
	File string
	Errs field.ErrorList
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, fe := range e.Errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s: %s", e.File, fe.Error())
	}
	return b.String()
}

// Load parses, defaults and validates one app.yaml against a platform. file
// names the input in errors.
func Load(file string, data []byte, p Platform) (*App, error) {
	app, err := Parse(file, data)
	if err != nil {
		return nil, err
	}
	SetDefaults(app, p)
	if errs := Validate(app, p); len(errs) > 0 {
		return nil, &Error{File: file, Errs: errs}
	}
	return app, nil
}

// Parse decodes one app.yaml strictly: one document, no anchors or aliases,
// no unknown or duplicate fields, bounded size and depth. It does not default
// or validate.
func Parse(file string, data []byte) (*App, error) {
	fail := func(format string, args ...any) error {
		return &Error{File: file, Errs: field.ErrorList{field.Invalid(field.NewPath("<file>"), field.OmitValueType{}, fmt.Sprintf(format, args...))}}
	}
	if len(data) > MaxFileBytes {
		return nil, fail("file is %d bytes; an app.yaml may be at most %d bytes", len(data), MaxFileBytes)
	}
	doc, err := singleDocument(data)
	if err != nil {
		return nil, fail("%v", err)
	}
	if err := checkNode(doc, 0); err != nil {
		return nil, fail("%v", err)
	}
	var generic any
	if err := doc.Decode(&generic); err != nil {
		return nil, fail("%v", err)
	}
	if _, ok := generic.(map[string]any); !ok {
		return nil, fail("want a mapping with apiVersion, kind, metadata and spec")
	}
	raw, err := json.Marshal(generic)
	if err != nil {
		return nil, fail("%v", err)
	}
	var app App
	strict, err := kjson.UnmarshalStrict(raw, &app, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return nil, &Error{File: file, Errs: field.ErrorList{typeError(err)}}
	}
	if len(strict) > 0 {
		var errs field.ErrorList
		for _, s := range strict {
			errs = append(errs, field.Invalid(field.NewPath("<file>"), field.OmitValueType{}, s.Error()+" (remove it, or check its spelling against the schema: cmp schema)"))
		}
		return nil, &Error{File: file, Errs: errs}
	}
	return &app, nil
}

func singleDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("file is empty")
		}
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, errors.New("file holds more than one YAML document; an app.yaml is exactly one")
	}
	return &doc, nil
}

// checkNode rejects anchors, aliases and deep nesting before anything expands
// them: app.yaml has no use for either, and both are how a small file becomes
// a large decode.
func checkNode(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("line %d: nested deeper than %d levels", n.Line, maxDepth)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("line %d: YAML anchors and aliases are not allowed in app.yaml; write the value out", n.Line)
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "" && !strings.HasPrefix(n.ShortTag(), "!!") {
		return fmt.Errorf("line %d: custom YAML tag %q is not allowed", n.Line, n.Tag)
	}
	for _, c := range n.Content {
		if err := checkNode(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// typeError turns a JSON type mismatch into a field error with its path.
func typeError(err error) *field.Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return field.Invalid(field.NewPath(te.Field), field.OmitValueType{}, fmt.Sprintf("want a %s, got a YAML %s", te.Type, te.Value))
	}
	return field.Invalid(field.NewPath("<file>"), field.OmitValueType{}, err.Error())
}
