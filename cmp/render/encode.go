package render

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// walker turns objects into the YAML node trees that yaml.Unmarshal makes
// of their JSON encoding, without the JSON: encoding/json builds an encoder
// for every type reachable from a Kubernetes type before it writes a byte,
// and parsing the JSON back costs as much again; in a one-shot render that
// was most of the time. It allocates nodes in blocks, as a render makes a
// thousand of them. One walker serves one goroutine.
type walker struct {
	nodes []yaml.Node
	refs  []*yaml.Node // backing store of Content
	stack []*yaml.Node // children of the mappings and sequences being built
}

// object returns o's node tree, block styled. Whatever the walk does not
// model exactly takes the JSON route, so the bytes are the same either way.
func (w *walker) object(o Object) (*yaml.Node, error) {
	w.stack = w.stack[:0]
	n, err := w.value(reflect.ValueOf(o))
	if errors.Is(err, errInexact) {
		return viaJSON(o)
	}
	return n, err
}

// viaJSON is the JSON route: JSON is YAML, so the JSON encoding is parsed
// into YAML nodes and its flow styles cleared.
func viaJSON(o any) (*yaml.Node, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	block(root)
	return root, nil
}

// block clears the JSON styles so the encoder writes block YAML and quotes
// only strings that would otherwise read as another type.
func block(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		block(c)
	}
}

// errInexact marks a value whose JSON route the walk does not reproduce:
// floats, []byte, TextMarshalers, ",string" fields, shadowed embedded
// fields, strings that YAML would not read back verbatim from JSON, long
// keys.
var errInexact = errors.New("render: value needs the JSON route")

// maxKeyBytes keeps a walked key's JSON, at most six characters a byte,
// under the 1024 characters YAML allows a key: the JSON route fails beyond.
const maxKeyBytes = 170

// value encodes v as encoding/json's Marshal would, in the order of its
// checks: MarshalJSON (through the address when v is addressable),
// MarshalText, then by kind.
func (w *walker) value(v reflect.Value) (*yaml.Node, error) {
	// Most values are of these predeclared types, which have no methods.
	switch v.Type() {
	case stringType:
		return w.str(v.String())
	case int32Type, int64Type:
		return w.scalar("!!int", strconv.FormatInt(v.Int(), 10)), nil
	case boolType:
		return w.scalar("!!bool", strconv.FormatBool(v.Bool())), nil
	}
	ti := infoOf(v.Type())
	switch {
	case ti.ptrMarshaler && v.CanAddr():
		return w.marshaler(v.Addr())
	case ti.marshaler:
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return w.scalar("!!null", "null"), nil
		}
		return w.marshaler(v)
	case ti.ptrTextMarshaler && v.CanAddr(), ti.textMarshaler, ti.inexact:
		return nil, errInexact
	}
	switch v.Kind() {
	case reflect.Bool:
		return w.scalar("!!bool", strconv.FormatBool(v.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return w.scalar("!!int", strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return w.scalar("!!int", strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.String:
		if v.Type() == numberType {
			return nil, errInexact
		}
		return w.str(v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return w.scalar("!!null", "null"), nil
		}
		return w.value(v.Elem())
	case reflect.Struct:
		return w.structure(v, ti.fields)
	case reflect.Map:
		return w.mapping(v)
	case reflect.Slice:
		if v.IsNil() {
			return w.scalar("!!null", "null"), nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil, errInexact // base64
		}
		return w.sequence(v)
	case reflect.Array:
		return w.sequence(v)
	}
	return nil, errInexact
}

func (w *walker) structure(v reflect.Value, fields []fieldInfo) (*yaml.Node, error) {
	mark := len(w.stack)
next:
	for i := range fields {
		f := &fields[i]
		fv := v
		for _, j := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue next
				}
				fv = fv.Elem()
			}
			fv = fv.Field(j)
		}
		if f.omitEmpty && isEmptyValue(fv) || f.omitZero && f.isZero(fv) {
			continue
		}
		c, err := w.value(fv)
		if err != nil {
			return nil, err
		}
		w.stack = append(w.stack, &f.key, c)
	}
	return w.collection(yaml.MappingNode, "!!map", mark), nil
}

func (w *walker) mapping(v reflect.Value) (*yaml.Node, error) {
	if v.IsNil() {
		return w.scalar("!!null", "null"), nil
	}
	if v.Type().Key().Kind() != reflect.String {
		return nil, errInexact
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	mark := len(w.stack)
	for _, k := range keys {
		if len(k.String()) > maxKeyBytes {
			return nil, errInexact
		}
		kn, err := w.str(k.String())
		if err != nil {
			return nil, err
		}
		c, err := w.value(v.MapIndex(k))
		if err != nil {
			return nil, err
		}
		w.stack = append(w.stack, kn, c)
	}
	return w.collection(yaml.MappingNode, "!!map", mark), nil
}

func (w *walker) sequence(v reflect.Value) (*yaml.Node, error) {
	mark := len(w.stack)
	for i := range v.Len() {
		c, err := w.value(v.Index(i))
		if err != nil {
			return nil, err
		}
		w.stack = append(w.stack, c)
	}
	return w.collection(yaml.SequenceNode, "!!seq", mark), nil
}

// collection moves the children stacked since mark into a new node. Content
// is capped at its length, so an append to it cannot reach a neighbour's.
func (w *walker) collection(kind yaml.Kind, tag string, mark int) *yaml.Node {
	children := w.stack[mark:]
	if len(w.refs)+len(children) > cap(w.refs) {
		w.refs = make([]*yaml.Node, 0, max(1024, len(children)))
	}
	start := len(w.refs)
	w.refs = append(w.refs, children...)
	w.stack = w.stack[:mark]
	n := w.node()
	n.Kind, n.Tag, n.Content = kind, tag, w.refs[start:len(w.refs):len(w.refs)]
	return n
}

func (w *walker) node() *yaml.Node {
	if len(w.nodes) == cap(w.nodes) {
		w.nodes = make([]yaml.Node, 0, 128)
	}
	w.nodes = w.nodes[:len(w.nodes)+1]
	return &w.nodes[len(w.nodes)-1]
}

func (w *walker) scalar(tag, value string) *yaml.Node {
	n := w.node()
	n.Kind, n.Tag, n.Value = yaml.ScalarNode, tag, value
	return n
}

// str is a JSON string as YAML reads it back. encoding/json escapes ASCII
// controls, which YAML unescapes verbatim; the characters it leaves alone
// that YAML refuses or reads as line breaks (DEL, C1 controls, NEL, BOM,
// U+FFFE/F), and invalid UTF-8, which it replaces, take the JSON route.
func (w *walker) str(s string) (*yaml.Node, error) {
	if !verbatim(s) {
		return nil, errInexact
	}
	return w.scalar("!!str", s), nil
}

func verbatim(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0xa0 || r == 0xfeff || r >= 0xfffe && r < 0x10000 || r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}

// marshaler handles the MarshalJSON outputs of the Kubernetes value types
// (Quantity, Time, IntOrString, Duration): null, a boolean, an integer or a
// string (a PromQL expression in an IntOrString has quotes to unescape).
// Anything else takes the JSON route.
func (w *walker) marshaler(v reflect.Value) (*yaml.Node, error) {
	b, err := v.Interface().(json.Marshaler).MarshalJSON()
	if err != nil {
		return nil, errInexact
	}
	s := string(b)
	switch {
	case s == "null":
		return w.scalar("!!null", s), nil
	case s == "true", s == "false":
		return w.scalar("!!bool", s), nil
	case isInteger(s):
		return w.scalar("!!int", s), nil
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && plainASCII(s[1:len(s)-1]):
		return w.scalar("!!str", s[1:len(s)-1]), nil
	case len(s) >= 2 && s[0] == '"':
		var str string
		if json.Unmarshal(b, &str) != nil {
			return nil, errInexact
		}
		return w.str(str)
	}
	return nil, errInexact
}

// isInteger reports a JSON integer, -?(0|[1-9][0-9]*), short enough that
// YAML reads it as an int too.
func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 18 || s[0] == '0' && len(s) > 1 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// plainASCII reports printable ASCII without the JSON string's own quote
// and escape characters.
func plainASCII(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
