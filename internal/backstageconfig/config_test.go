package backstageconfig

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"pgregory.net/rapid"
)

const (
	productionFile  = "../../manifests/backstage/app-config.production.yaml"
	developmentFile = "../../manifests/backstage/app-config.development.yaml"
)

func TestParseRefuses(t *testing.T) {
	deep := ""
	for i := 0; i <= MaxDepth+1; i++ {
		deep += strings.Repeat("  ", i) + "k:\n"
	}
	deep += strings.Repeat("  ", MaxDepth+2) + "v: 1\n"
	cases := map[string]struct {
		in, want string
	}{
		"two documents":   {"a: 1\n---\nb: 2\n", "one YAML document"},
		"top-level list":  {"- a\n- b\n", "must be a mapping"},
		"top-level value": {"hello\n", "must be a mapping"},
		"duplicate key":   {"app:\n  title: a\n  title: b\n", `duplicate key "title"`},
		"alias":           {"a: &x {b: 1}\nc: *x\n", "aliases"},
		"merge key":       {"a: &x {b: 1}\nc:\n  <<: {d: 2}\n", "merge keys"},
		"custom tag":      {"a: !secret value\n", "tag !secret"},
		"binary":          {"a: !!binary aGVsbG8=\n", "tag !!binary"},
		"too deep":        {deep, "nested deeper"},
		"too large":       {"a: " + strings.Repeat("x", MaxSize) + "\n", "bytes"},
		"broken YAML":     {"a: [1, 2\n", "did not find"},
		"list key":        {"? [a, b]\n: 1\n", "plain value"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	c, err := Parse([]byte("a:\n  s: text\n  n: 7007\n  f: 1.5\n  b: true\n  z: null\n  d: 2024-01-02\n  y: yes\n  l: [1, x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{"a": map[string]any{
		"s": "text", "n": 7007, "f": 1.5, "b": true, "z": nil,
		"d": "2024-01-02", // no timestamps in Backstage's YAML 1.2 core schema
		"y": "yes",        // nor YAML 1.1 booleans
		"l": []any{1, "x"},
	}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %#v\nwant %#v", c, want)
	}
	for _, empty := range []string{"", "# only a comment\n", "~\n"} {
		c, err := Parse([]byte(empty))
		if err != nil || len(c) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want an empty config", empty, c, err)
		}
	}
}

func TestGetAndDelete(t *testing.T) {
	c, err := Load(productionFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range RequiredKeys {
		if _, ok := c.Get(key); !ok {
			t.Errorf("Get(%q): not found in %s", key, productionFile)
		}
	}
	if v, _ := c.Get("integrations.gitlab[0].token"); v != "${GITLAB_TOKEN}" {
		t.Errorf("integrations.gitlab[0].token = %v", v)
	}
	for _, bad := range []string{"", "a..b", "a[", "a[x]", "a[-1]", "a[0]b", "[0]"} {
		if _, ok := c.Get(bad); ok {
			t.Errorf("Get(%q) found something", bad)
		}
	}
	if !c.Delete("integrations.gitlab[0].token") || c.Delete("integrations.gitlab[0].token") {
		t.Error("Delete does not report whether the key existed")
	}
	if _, ok := c.Get("integrations.gitlab[0].host"); !ok {
		t.Error("Delete removed a sibling")
	}
	if !c.Delete("argocd.appLocatorMethods[0]") {
		t.Fatal("Delete of a list item failed")
	}
	if v, ok := c.Get("argocd.appLocatorMethods[0]"); !ok || v != nil {
		t.Errorf("a deleted list item is %v, %v; want null in place", v, ok)
	}
}

func TestMergeIsBackstages(t *testing.T) {
	base := Config{
		"app":     map[string]any{"title": "base", "baseUrl": "http://localhost:3000"},
		"catalog": map[string]any{"locations": []any{"a", "b"}},
		"keep":    "me",
	}
	over := Config{
		"app":     map[string]any{"baseUrl": "https://backstage.example.com"},
		"catalog": map[string]any{"locations": []any{"c"}},
	}
	got := Merge(base, over)
	want := Config{
		"app":     map[string]any{"title": "base", "baseUrl": "https://backstage.example.com"},
		"catalog": map[string]any{"locations": []any{"c"}}, // lists replace, never concatenate
		"keep":    "me",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if base["app"].(map[string]any)["baseUrl"] != "http://localhost:3000" {
		t.Fatal("Merge changed its base")
	}
}

// TestPropertyMerge: for any two configs, every value of the later one is
// in the merge, every value of the earlier one that the later one does not
// touch survives, neither input changes, and merging is idempotent with an
// empty config as identity on both sides.
func TestPropertyMerge(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genConfig().Draw(t, "a"), genConfig().Draw(t, "b")
		aCopy, bCopy := Config(deepCopy(map[string]any(a)).(map[string]any)), Config(deepCopy(map[string]any(b)).(map[string]any))
		m := Merge(a, b)
		if !reflect.DeepEqual(a, aCopy) || !reflect.DeepEqual(b, bCopy) {
			t.Fatal("Merge changed an input")
		}
		bLeaves := leaves(b)
		for p, v := range bLeaves {
			if got, ok := m.Get(p); !ok || !reflect.DeepEqual(got, v) {
				t.Fatalf("%s: merged %v, later config had %v", p, got, v)
			}
		}
		for p, v := range leaves(a) {
			if touched(b, p) {
				continue
			}
			if got, ok := m.Get(p); !ok || !reflect.DeepEqual(got, v) {
				t.Fatalf("%s: merged %v, earlier config had %v and the later one does not set it", p, got, v)
			}
		}
		if !reflect.DeepEqual(Merge(a, Config{}), a) || !reflect.DeepEqual(Merge(Config{}, a), a) || !reflect.DeepEqual(Merge(a, a), a) {
			t.Fatal("empty config is not an identity, or merge is not idempotent")
		}
	})
}

// leaves maps the path of every non-mapping value (lists whole) to it; an
// empty mapping sets nothing.
func leaves(c Config) map[string]any {
	out := map[string]any{}
	var rec func(m map[string]any, prefix string)
	rec = func(m map[string]any, prefix string) {
		for k, v := range m {
			p := prefix + k
			if sub, ok := v.(map[string]any); ok {
				rec(sub, p+".")
				continue
			}
			out[p] = v
		}
	}
	rec(c, "")
	return out
}

// touched: does c set p, or a prefix of p to a non-mapping, or p to a
// mapping (which then merges)?
func touched(c Config, p string) bool {
	parts := strings.Split(p, ".")
	var cur any = map[string]any(c)
	for _, part := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			return true
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

var genKey = rapid.SampledFrom([]string{"app", "backend", "auth", "baseUrl", "title", "providers", "list", "x"})

func genConfig() *rapid.Generator[Config] {
	return rapid.Custom(func(t *rapid.T) Config {
		return Config(genMap(t, 0))
	})
}

func genMap(t *rapid.T, depth int) map[string]any {
	m := map[string]any{}
	n := rapid.IntRange(0, 4).Draw(t, "n")
	for range n {
		k := genKey.Draw(t, "key")
		switch kind := rapid.IntRange(0, 3).Draw(t, "kind"); {
		case kind == 0 && depth < 3:
			m[k] = genMap(t, depth+1)
		case kind == 1:
			m[k] = []any{rapid.String().Draw(t, "item")}
		case kind == 2:
			m[k] = rapid.Int().Draw(t, "int")
		default:
			m[k] = rapid.String().Draw(t, "s")
		}
	}
	return m
}

func TestSubstitutedNames(t *testing.T) {
	cases := map[string][]string{
		"plain":                     nil,
		"${A}":                      {"A"},
		"https://${HOST}/api/${V}":  {"HOST", "V"},
		"$${LITERAL}":               nil,
		"$${LITERAL} and ${REAL}":   {"REAL"},
		"${ PADDED }":               {"PADDED"},
		"${WITH:-fallback}":         {"WITH"},
		"${}":                       {""},
		"${NESTED${X}}":             {"X"},
		"cost: $5 and ${A} ${B:-c}": {"A", "B"},
	}
	for in, want := range cases {
		if got := substitutedNames(in); !slices.Equal(got, want) {
			t.Errorf("substitutedNames(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse: Parse never panics, whatever it accepts holds only the value
// types it documents, and writing that back as YAML parses to the same
// config.
func FuzzParse(f *testing.F) {
	for _, file := range []string{productionFile, developmentFile} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "a: 1\n", "a: &x 1\nb: *x\n", "a: [1, {b: ~}]\n", "? a\n: b\n", "a: !!binary aGk=\n",
		"a: 1\n---\nb: 2\n", "'<<': x\n", "a: .nan\nb: -.inf\n", "a: 0x1F\nb: 1e3\n", "a: \"${X:-y}\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		checkTypes(t, map[string]any(c), "")
		if hasKey(c, "<<") {
			// yaml.v3 writes a quoted "<<" key back unquoted, as a merge key.
			return
		}
		out, err := yaml.Marshal(map[string]any(c))
		if err != nil {
			t.Fatalf("cannot write back what was parsed: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("written back, it no longer parses: %v\n%s", err, out)
		}
		if !sameTree(c, again) {
			t.Fatalf("round trip changed the config:\n%#v\n%#v", c, again)
		}
	})
}

func hasKey(c Config, key string) bool {
	found := false
	walk(map[string]any(c), "", func(_, k string, _ any) { found = found || k == key })
	return found
}

func checkTypes(t *testing.T, v any, path string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			checkTypes(t, e, path+"."+k)
		}
	case []any:
		for i, e := range x {
			checkTypes(t, e, fmt.Sprintf("%s[%d]", path, i))
		}
	case nil, string, bool, int, int64, uint64, float64:
	default:
		t.Fatalf("%s: unexpected type %T", path, v)
	}
}

// sameTree compares configs, numbers by value (1e3 may come back as 1000).
func sameTree(a, b any) bool {
	switch x := a.(type) {
	case Config:
		return sameTree(map[string]any(x), b)
	case map[string]any:
		if y, ok := b.(Config); ok {
			b = map[string]any(y)
		}
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameTree(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameTree(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
