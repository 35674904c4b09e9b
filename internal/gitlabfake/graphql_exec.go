package gitlabfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Execution: the spec's field collection and value completion over the
// resolvers, with errors and null propagation as GraphQL defines them.

// fieldGroup is the fields of one response key, merged.
type fieldGroup struct {
	key    string
	fields []*ast.Field
}

func (g fieldGroup) selections() ast.SelectionSet {
	if len(g.fields) == 1 {
		return g.fields[0].SelectionSet
	}
	var set ast.SelectionSet
	for _, f := range g.fields {
		set = append(set, f.SelectionSet...)
	}
	return set
}

// collectFields is the spec's CollectFields on an object type: fields by
// response key in document order, fragments inlined, @skip and @include
// applied.
func collectFields(set ast.SelectionSet, typeName string, vars map[string]any) []fieldGroup {
	var out []fieldGroup
	index := map[string]int{}
	spread := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if skipped(s.Directives, vars) {
					continue
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if i, ok := index[key]; ok {
					out[i].fields = append(out[i].fields, s)
					continue
				}
				index[key] = len(out)
				out = append(out, fieldGroup{key: key, fields: []*ast.Field{s}})
			case *ast.InlineFragment:
				if !skipped(s.Directives, vars) && (s.TypeCondition == "" || s.TypeCondition == typeName) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				d := s.Definition
				if d != nil && !spread[s.Name] && !skipped(s.Directives, vars) && d.TypeCondition == typeName {
					spread[s.Name] = true
					walk(d.SelectionSet)
				}
			}
		}
	}
	walk(set)
	return out
}

func skipped(ds ast.DirectiveList, vars map[string]any) bool {
	if d := ds.ForName("skip"); d != nil && d.ArgumentMap(vars)["if"] == true {
		return true
	}
	if d := ds.ForName("include"); d != nil && d.ArgumentMap(vars)["if"] == false {
		return true
	}
	return false
}

// jsonObject keeps response keys in selection order, as GraphQL requires.
type jsonObject struct {
	keys []string
	vals []any
}

func (o *jsonObject) add(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (o *jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// gqlExec executes one query; callers hold Fake.mu for reading.
type gqlExec struct {
	f            *Fake
	authed       bool
	base         string
	vars         map[string]any
	score, limit int
	errs         []gqlErr
}

func (x *gqlExec) run(op *ast.OperationDefinition) *jsonObject {
	res := &jsonObject{}
	if data, ok := x.object("Query", nil, op.SelectionSet, nil); ok {
		res.add("data", data)
	} else {
		res.add("data", nil)
	}
	if len(x.errs) > 0 {
		res.add("errors", x.errs)
	}
	return res
}

// object resolves a selection set on obj; ok is false when a non-null field
// came out null, which nulls obj in turn.
func (x *gqlExec) object(typeName string, obj any, set ast.SelectionSet, path []any) (*jsonObject, bool) {
	out := &jsonObject{}
	for _, g := range collectFields(set, typeName, x.vars) {
		p := append(slices.Clip(path), g.key)
		v, ok := x.field(typeName, obj, g, p)
		if !ok {
			return nil, false
		}
		out.add(g.key, v)
	}
	return out, true
}

func (x *gqlExec) field(typeName string, obj any, g fieldGroup, path []any) (any, bool) {
	f := g.fields[0]
	if f.Name == "__typename" {
		return typeName, true
	}
	v, err := x.resolve(typeName, obj, f.Name, f.ArgumentMap(x.vars))
	if err != nil {
		x.fail(f, path, err.Error())
		return nil, !f.Definition.Type.NonNull
	}
	return x.complete(typeName, f, f.Definition.Type, v, g.selections(), path)
}

func (x *gqlExec) fail(f *ast.Field, path []any, msg string) {
	e := gqlErr{Message: msg, Path: slices.Clone(path)}
	if f.Position != nil {
		e.Locations = []gqlLoc{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	x.errs = append(x.errs, e)
}

// complete shapes a resolved value by the field's type: lists item by
// item, objects by their selections, scalars as resolved.
func (x *gqlExec) complete(parent string, f *ast.Field, t *ast.Type, v any, set ast.SelectionSet, path []any) (any, bool) {
	if isNil(v) {
		if t.NonNull {
			x.fail(f, path, fmt.Sprintf("Cannot return null for non-nullable field %s.%s", parent, f.Name))
			return nil, false
		}
		return nil, true
	}
	if t.Elem != nil {
		items := reflect.ValueOf(v)
		out := make([]any, items.Len())
		for i := range out {
			c, ok := x.complete(parent, f, t.Elem, items.Index(i).Interface(), set, append(slices.Clip(path), i))
			if !ok {
				return nil, !t.NonNull
			}
			out[i] = c
		}
		return out, true
	}
	if graphQLSchema.Types[t.NamedType].Kind != ast.Object {
		return v, true
	}
	o, ok := x.object(t.NamedType, v, set, path)
	if !ok {
		return nil, !t.NonNull
	}
	return o, true
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// Objects the resolvers hand on, beside *project and *group.
type (
	gqlRepo struct{ p *project }
	gqlTree struct {
		p    *project
		c    *commit // nil for an empty repository or an unknown ref
		path string
	}
	gqlCommit struct {
		p *project
		c *commit
	}
	gqlBlob struct {
		p    *project
		path string
		b    *blob
	}
	gqlComplexity struct{ score, limit int }
	gqlEdge       struct {
		cursor string
		node   any
	}
	// gqlConnection is a page; it also serves as its own PageInfo.
	gqlConnection struct {
		nodes            []any
		cursors          []string
		count            int
		hasNext, hasPrev bool
	}
)

// resolve answers one field of obj, a value of type typeName.
func (x *gqlExec) resolve(typeName string, obj any, field string, args map[string]any) (any, error) {
	switch typeName {
	case "Query":
		return x.queryField(field, args)
	case "QueryComplexity":
		c := obj.(gqlComplexity)
		if field == "score" {
			return c.score, nil
		}
		return c.limit, nil
	case "Project":
		return x.projectField(obj.(*project), field), nil
	case "Namespace", "Group":
		return x.groupField(obj.(*group), field, args)
	case "Repository":
		return x.repositoryField(obj.(gqlRepo).p, field, args)
	case "RepositoryBlob":
		return x.blobField(obj.(gqlBlob), field), nil
	case "Tree":
		return x.lastCommit(obj.(gqlTree)), nil
	case "Commit":
		return x.commitField(obj.(gqlCommit), field), nil
	case "ProjectConnection", "RepositoryBlobConnection":
		return connectionField(obj.(*gqlConnection), field), nil
	case "ProjectEdge", "RepositoryBlobEdge":
		e := obj.(gqlEdge)
		if field == "cursor" {
			return e.cursor, nil
		}
		return e.node, nil
	case "PageInfo":
		return pageInfoField(obj.(*gqlConnection), field), nil
	}
	return nil, fmt.Errorf("gitlabfake: no resolver for %s.%s", typeName, field)
}

func gqlArgString(args map[string]any, name string) string {
	switch v := args[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func gqlArgBool(args map[string]any, name string) bool { return args[name] == true }

// gqlArgInt reads an Int however it arrived: a literal, a JSON number or
// one nested in a list.
func gqlArgInt(args map[string]any, name string) (int, bool) {
	switch v := args[name].(type) {
	case int64:
		return int(v), true
	case int:
		return v, true
	case float64:
		return int(v), true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}

func gqlArgStrings(args map[string]any, name string) []string {
	items := reflect.ValueOf(args[name])
	if items.Kind() != reflect.Slice {
		return nil
	}
	out := make([]string, items.Len())
	for i := range out {
		out[i] = fmt.Sprint(items.Index(i).Interface())
	}
	return out
}
