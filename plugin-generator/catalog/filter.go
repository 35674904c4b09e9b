package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Filter keys an ApplicationSet may pass in input.parameters.
const (
	FilterSubgroup = "subgroup" // the project's group or any group below it
	FilterTopic    = "topic"    // a GitLab project topic
	FilterOwner    = "owner"    // the app's owning team
)

// Select returns the parameter sets of the apps that match every filter.
// An unknown filter key is an error, so a typo in an ApplicationSet fails
// loudly instead of silently selecting everything.
func (s *Snapshot) Select(filters map[string]any) ([]Params, error) {
	want := map[string]string{}
	for k, v := range filters {
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("input.parameters.%s: want a string, got %T", k, v)
		}
		switch k {
		case FilterSubgroup, FilterTopic, FilterOwner:
			want[k] = strings.Trim(str, "/")
		default:
			keys := []string{FilterOwner, FilterSubgroup, FilterTopic}
			sort.Strings(keys)
			return nil, fmt.Errorf("input.parameters.%s: unknown filter; use one of %s", k, strings.Join(keys, ", "))
		}
	}
	out := make([]Params, 0, len(s.Apps))
	for _, a := range s.Apps {
		if matches(a.Params, want) {
			out = append(out, a.Params)
		}
	}
	return out, nil
}

func matches(p Params, want map[string]string) bool {
	if g, ok := want[FilterSubgroup]; ok && g != "" {
		sub, _ := p[ParamSubgroup].(string)
		if sub != g && !strings.HasPrefix(sub, g+"/") && !strings.HasSuffix(sub, "/"+g) && !strings.Contains(sub, "/"+g+"/") {
			return false
		}
	}
	if t, ok := want[FilterTopic]; ok && t != "" {
		topics, _ := p[ParamTopics].(string)
		if !slices.Contains(strings.Split(topics, ","), t) {
			return false
		}
	}
	if o, ok := want[FilterOwner]; ok && o != "" && p[ParamOwner] != o {
		return false
	}
	return true
}
