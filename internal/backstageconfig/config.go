// Package backstageconfig reads Backstage app-config files the way Backstage
// does (YAML, several files merged in order, later ones winning) and checks
// a production config before it is deployed for what only this platform
// knows: every required key set, GitLab the only sign-in and by username,
// no guest, nothing "dangerously" enabled, the Grafana plugin's proxy in
// place, and every ${NAME} substitution one that the deployment provides.
// Types, misspelled keys and each plugin's own required keys are Backstage's
// own check (hack/check-backstage-config.sh, config:check --strict with the
// plugins' schemas); see CheckProduction.
//
// The rule for substitutions: Backstage replaces ${NAME} (and ${NAME:-fallback})
// with the environment variable NAME when it loads the config, and a value
// with an unset variable becomes undefined. The check cannot see the
// environment of the pod, so it takes the list of variable names the
// deployment guarantees (ProductionEnv, the variables the Backstage
// Deployment sets): a required key whose value substitutes only names on
// that list counts as present; one that substitutes any other name counts
// as missing, and so does an empty value. $${...} is Backstage's escape for
// a literal "${...}" and substitutes nothing. The object forms count the
// same way: {$env: NAME} like ${NAME}, {$file: PATH} as present (a mounted
// file); {$include: ...} is refused, since the check cannot see what it adds.
package backstageconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is a parsed app-config: nested map[string]any and []any holding
// string, bool, int, int64, uint64, float64 or nil leaves.
type Config map[string]any

// Parse limits: an app-config is a page of YAML, never megabytes.
const (
	MaxSize  = 1 << 20
	MaxDepth = 64
)

// Parse reads one app-config document. It refuses what Backstage would
// refuse or what only serves an attack on the reader: several documents,
// a top level that is not a mapping, duplicate keys, aliases (alias bombs),
// custom tags, files over MaxSize, nesting over MaxDepth. An empty file is
// an empty config.
func Parse(data []byte) (Config, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("config is %d bytes, more than the %d allowed", len(data), MaxSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Config{}, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("line %d: a config file holds one YAML document", extra.Line)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return Config{}, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return Config{}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the top level of a config must be a mapping", root.Line)
	}
	v, err := convert(root, 0)
	if err != nil {
		return nil, err
	}
	return Config(v.(map[string]any)), nil
}

func convert(n *yaml.Node, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("line %d: nested deeper than %d levels", n.Line, MaxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, fmt.Errorf("line %d: aliases (*%s) are not allowed in a config", n.Line, n.Value)
	case yaml.MappingNode:
		if n.Tag != "!!map" {
			return nil, fmt.Errorf("line %d: tag %s is not allowed", n.Line, n.Tag)
		}
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key must be a plain value", k.Line)
			}
			if k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: merge keys (<<) are not allowed in a config", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			cv, err := convert(val, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = cv
		}
		return m, nil
	case yaml.SequenceNode:
		if n.Tag != "!!seq" {
			return nil, fmt.Errorf("line %d: tag %s is not allowed", n.Line, n.Tag)
		}
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			cv, err := convert(c, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, cv)
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!timestamp":
			// Backstage's YAML 1.2 core schema has no timestamps.
			return n.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, fmt.Errorf("line %d: %v", n.Line, err)
			}
			return v, nil
		}
		return nil, fmt.Errorf("line %d: tag %s is not allowed", n.Line, n.Tag)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// Load parses each file and merges them in order, as Backstage does with
// several --config flags.
func Load(paths ...string) (Config, error) {
	if len(paths) == 0 {
		return nil, errors.New("no config file given")
	}
	merged := Config{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		c, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		merged = Merge(merged, c)
	}
	return merged, nil
}

// Merge returns base overlaid with over, as Backstage merges config files:
// mappings merge key by key, recursively; anything else in over (a list, a
// value, null) replaces what base had. Neither argument is changed.
func Merge(base, over Config) Config {
	return Config(mergeMaps(base, over))
}

func mergeMaps(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = deepCopy(v)
	}
	for k, v := range over {
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = mergeMaps(bm, om)
			continue
		}
		out[k] = deepCopy(v)
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case Config:
		return deepCopy(map[string]any(t))
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// A path names a key: dot-separated keys, each optionally followed by list
// indexes, e.g. integrations.gitlab[0].token.
type step struct {
	key   string
	index int // -1: a map key
}

func parsePath(path string) ([]step, error) {
	var steps []step
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key == "" {
			return nil, fmt.Errorf("bad key path %q", path)
		}
		steps = append(steps, step{key: key, index: -1})
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil || i < 0 {
				return nil, fmt.Errorf("bad key path %q", path)
			}
			steps = append(steps, step{index: i})
			rest = strings.TrimPrefix(after, "[")
			if after != "" && !strings.HasPrefix(after, "[") {
				return nil, fmt.Errorf("bad key path %q", path)
			}
		}
	}
	return steps, nil
}

// Get returns the value at path and whether it exists.
func (c Config) Get(path string) (any, bool) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, false
	}
	var cur any = map[string]any(c)
	for _, s := range steps {
		switch {
		case s.index < 0:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[s.key]; !ok {
				return nil, false
			}
		default:
			l, ok := cur.([]any)
			if !ok || s.index >= len(l) {
				return nil, false
			}
			cur = l[s.index]
		}
	}
	return cur, true
}

// Delete removes the key at path (a list item becomes null, so the indexes
// of the others stay) and reports whether it existed.
func (c Config) Delete(path string) bool {
	steps, err := parsePath(path)
	if err != nil {
		return false
	}
	var cur any = map[string]any(c)
	for i, s := range steps {
		last := i == len(steps)-1
		switch {
		case s.index < 0:
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			if _, ok := m[s.key]; !ok {
				return false
			}
			if last {
				delete(m, s.key)
				return true
			}
			cur = m[s.key]
		default:
			l, ok := cur.([]any)
			if !ok || s.index >= len(l) {
				return false
			}
			if last {
				l[s.index] = nil
				return true
			}
			cur = l[s.index]
		}
	}
	return false
}

// walk calls fn for every value below v with its path; key is the map key
// that holds it, or "" for a list item.
func walk(v any, path string, fn func(path, key string, v any)) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			fn(p, k, t[k])
			walk(t[k], p, fn)
		}
	case []any:
		for i, e := range t {
			p := path + "[" + strconv.Itoa(i) + "]"
			fn(p, "", e)
			walk(e, p, fn)
		}
	}
}
