package render

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// typeInfo is what the walker needs to know of a type, found once per type
// and only for the types a render meets.
type typeInfo struct {
	marshaler, ptrMarshaler         bool
	textMarshaler, ptrTextMarshaler bool
	fields                          []fieldInfo // of a struct
	inexact                         bool        // by kind, the walk does not model it
}

type fieldInfo struct {
	key                 yaml.Node // shared by every render; never modified
	index               []int
	omitEmpty, omitZero bool
	isZero              func(reflect.Value) bool
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	numberType        = reflect.TypeFor[json.Number]()
	stringType        = reflect.TypeFor[string]()
	int32Type         = reflect.TypeFor[int32]()
	int64Type         = reflect.TypeFor[int64]()
	boolType          = reflect.TypeFor[bool]()
)

var infos sync.Map // reflect.Type → *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := infos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{}
	switch {
	case t.Kind() == reflect.Interface:
		ti.inexact = t.Implements(marshalerType) || t.Implements(textMarshalerType)
	case t.Kind() == reflect.Pointer:
		// *E has the methods found with E's; a named pointer type has none.
		if e := t.Elem(); t.Name() == "" && (e.Name() != "" || e.Kind() == reflect.Struct) {
			ei := infoOf(e)
			ti.marshaler, ti.textMarshaler = ei.ptrMarshaler, ei.ptrTextMarshaler
		}
	case t.Name() != "" || t.Kind() == reflect.Struct:
		// Only these have methods; reflect.PointerTo is dear for the others.
		// T's methods are among *T's, so *T is asked first.
		pt := reflect.PointerTo(t)
		ti.ptrMarshaler = pt.Implements(marshalerType)
		ti.ptrTextMarshaler = pt.Implements(textMarshalerType)
		ti.marshaler = ti.ptrMarshaler && t.Implements(marshalerType)
		ti.textMarshaler = ti.ptrTextMarshaler && t.Implements(textMarshalerType)
	}
	if t.Kind() == reflect.Struct {
		ti.fields, ti.inexact = structFields(t)
	}
	v, _ := infos.LoadOrStore(t, ti)
	return v.(*typeInfo)
}

// structFields lists t's JSON fields as encoding/json's typeFields does,
// embedded structs flattened in field order. Where its dominance rules would
// decide between fields of one name, or a field is ",string", t is inexact.
func structFields(t reflect.Type) (fields []fieldInfo, inexact bool) {
	fields = make([]fieldInfo, 0, t.NumField())
	// A linear search finds repeated names: structs are small, and a map
	// per struct type costs more than it saves.
	seen := func(name string) bool {
		return slices.ContainsFunc(fields, func(f fieldInfo) bool { return f.key.Value == name })
	}
	var walk func(t reflect.Type, index []int) bool
	walk = func(t reflect.Type, index []int) bool {
		if len(index) > 8 {
			return false // embedding this deep is a cycle
		}
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				if !sf.Anonymous {
					continue
				}
				if et := sf.Type; et.Kind() == reflect.Struct || et.Kind() == reflect.Pointer && et.Elem().Kind() == reflect.Struct {
					return false
				}
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if !isValidTag(name) {
				name = ""
			}
			omitEmpty, omitZero, quoted := parseOpts(opts)
			if quoted {
				return false
			}
			idx := append(index[:len(index):len(index)], i)
			ft := sf.Type
			if ft.Name() == "" && ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				if !walk(ft, idx) {
					return false
				}
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if seen(name) || !verbatim(name) {
				return false
			}
			f := fieldInfo{
				key:       yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name},
				index:     idx,
				omitEmpty: omitEmpty,
				omitZero:  omitZero,
			}
			if omitZero {
				f.isZero = isZeroFunc(sf.Type)
			}
			fields = append(fields, f)
		}
		return true
	}
	if !walk(t, nil) {
		return nil, true
	}
	return fields, false
}

// isZeroFunc is encoding/json's test for omitzero: the type's IsZero method
// if it has one, else the zero value.
func isZeroFunc(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() || v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.IsNil() || v.Interface().(interface{ IsZero() bool }).IsZero() }
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(interface{ IsZero() bool }).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				v2 := reflect.New(v.Type()).Elem()
				v2.Set(v)
				v = v2
			}
			return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
		}
	}
	return reflect.Value.IsZero
}

func parseOpts(opts string) (omitEmpty, omitZero, quoted bool) {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		switch o {
		case "omitempty":
			omitEmpty = true
		case "omitzero":
			omitZero = true
		case "string":
			quoted = true
		}
	}
	return omitEmpty, omitZero, quoted
}

// isValidTag is encoding/json's rule for a usable name in a json tag.
func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
