// Package templates holds the Backstage software templates; this test keeps
// their name rules equal to the app.yaml contract's, which they copy because
// Backstage validates parameters before any platform code runs.
package templates

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"pgregory.net/rapid"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/appspec"
)

// nameSchema compiles the "name" parameter's JSON Schema from template.yaml.
func nameSchema(t testing.TB, file string) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Spec struct {
			Parameters []struct {
				Properties map[string]any `json:"properties"`
			} `json:"parameters"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	for _, p := range tmpl.Spec.Parameters {
		if name, ok := p.Properties["name"]; ok {
			raw, _ := json.Marshal(name)
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			c := jsonschema.NewCompiler()
			if err := c.AddResource("name.json", doc); err != nil {
				t.Fatal(err)
			}
			s, err := c.Compile("name.json")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatalf("%s has no name parameter", file)
	return nil
}

// TestNameRulesMatchAppSpec: the template accepts a name exactly when
// app.yaml would, for every reserved name and prefix and for drawn names.
func TestNameRulesMatchAppSpec(t *testing.T) {
	schema := nameSchema(t, "nodejs-service/template.yaml")
	agree := func(t interface{ Fatalf(string, ...any) }, name string) {
		templateOK := schema.Validate(name) == nil
		specOK := len(appspec.ValidateName(name, nil)) == 0
		if templateOK != specOK {
			t.Fatalf("name %q: template accepts=%v, app.yaml accepts=%v", name, templateOK, specOK)
		}
	}
	for _, n := range appspec.ReservedNames() {
		agree(t, n)
	}
	for _, p := range appspec.ReservedPrefixes() {
		agree(t, p+"app")
	}
	rapid.Check(t, func(t *rapid.T) {
		agree(t, rapid.StringMatching(`[a-z0-9-]{0,12}|(kube|aws|eks|argocd|idp|calico)-[a-z]{1,6}|[a-z]{1,45}`).Draw(t, "name"))
	})
}
