package appspec_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/appspec"
)

// TestSchemaFileIsCurrent keeps the published schema (what editors load)
// equal to the one derived from the Go types. Regenerate with:
// go run ./cmp schema > appspec/app.schema.json
func TestSchemaFileIsCurrent(t *testing.T) {
	want, err := appspec.Schema()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("app.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("appspec/app.schema.json is stale; run: go run ./cmp schema > appspec/app.schema.json")
	}
}

// TestSchemaAgreesWithParser: what an editor flags, the parser rejects too.
func TestSchemaAgreesWithParser(t *testing.T) {
	raw, err := appspec.Schema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(appspec.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(appspec.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		src   string
		valid bool
	}{
		{"minimal", minimal, true},
		{"full", minimal + "  replicas: 3\n  health:\n    path: /healthz\n  metrics:\n    port: 9090\n  env:\n  - name: LOG_LEVEL\n    value: info\n", true},
		{"unknown spec field", minimal + "  replica: 3\n", false},
		{"unknown nested field", minimal + "  health:\n    paht: /x\n", false},
		{"low port", strings.Replace(minimal, "3000", "80", 1), false},
		{"bad name", strings.Replace(minimal, "hello-world\n", "Hello\n", 1), false},
		{"missing image", strings.Replace(minimal, "  image: 123456789012.dkr.ecr.us-east-2.amazonaws.com/apps/hello-world:3f2a1bc\n", "", 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			js, err := yaml.YAMLToJSON([]byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(js, &v); err != nil {
				t.Fatal(err)
			}
			schemaErr := schema.Validate(v)
			_, loadErr := appspec.Load("app.yaml", []byte(c.src), appspec.DefaultPlatform())
			if (schemaErr == nil) != c.valid || (loadErr == nil) != c.valid {
				t.Fatalf("valid=%v: schema says %v, parser says %v", c.valid, schemaErr, loadErr)
			}
		})
	}
}
