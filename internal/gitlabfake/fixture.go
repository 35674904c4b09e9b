package gitlabfake

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Fixture is a declarative starting state, for callers that are not Go (the
// end-to-end script, through cmd/gitlabfake). In JSON:
//
//	{"groups": ["gitops/team-a"],
//	 "projects": [{"namespace": "gitops/team-a", "path": "hello-world",
//	               "topics": ["payments"], "files": {"app.yaml": "name: hello\n"}}]}
type Fixture struct {
	Groups   []string      `json:"groups,omitempty"`
	Projects []ProjectSpec `json:"projects,omitempty"`
}

// Load adds the fixture's groups, then its projects in order (so ids follow
// the file), and returns the projects created.
func (f *Fake) Load(fx Fixture) []Project {
	for _, g := range fx.Groups {
		f.AddGroup(g)
	}
	out := make([]Project, 0, len(fx.Projects))
	for _, spec := range fx.Projects {
		out = append(out, f.AddProject(spec))
	}
	return out
}

// ReadFixture decodes a JSON fixture, rejecting unknown fields so that a typo
// in a fixture file is an error rather than a silently missing project.
func ReadFixture(r io.Reader) (Fixture, error) {
	var fx Fixture
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fx); err != nil {
		return Fixture{}, fmt.Errorf("gitlabfake: fixture: %w", err)
	}
	seen := map[string]bool{}
	for i, p := range fx.Projects {
		if p.Namespace == "" || p.Path == "" {
			return Fixture{}, fmt.Errorf("gitlabfake: fixture: project %d needs namespace and path", i)
		}
		full := strings.ToLower(normGroupPath(p.Namespace) + "/" + p.Path)
		if seen[full] {
			return Fixture{}, fmt.Errorf("gitlabfake: fixture: duplicate project %s", full)
		}
		seen[full] = true
	}
	return fx, nil
}
