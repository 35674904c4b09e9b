package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// dashboardSchema is Grafana's dashboard v1 JSON Schema as the Grafana
// Foundation SDK publishes it (testdata/grafana/README.md names the source).
var dashboardSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	const path = "testdata/grafana/dashboard.jsonschema.json"
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		return nil, err
	}
	return c.Compile(path)
})

// checkDashboardJSON judges a dashboard model twice: by Grafana's JSON
// Schema, and by the SDK's own types, whose strict decoding refuses an
// unknown field or a value of the wrong type.
func checkDashboardJSON(raw string) error {
	if err := schemaCheck(raw); err != nil {
		return err
	}
	return sdkCheck(raw)
}

func schemaCheck(raw string) error {
	sch, err := dashboardSchema()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
	if err != nil {
		return err
	}
	return sch.Validate(doc)
}

func sdkCheck(raw string) error {
	//lint:ignore SA1019 the v1 model is what the Grafana Operator posts
	var d dashboard.Dashboard
	err := d.UnmarshalJSONStrict([]byte(raw))
	// The SDK returns its error list as an error even when it is empty.
	if be, ok := err.(cog.BuildErrors); ok && len(be) == 0 {
		return nil
	}
	return err
}

func dashboardJSON(t *testing.T, d *unstructured.Unstructured) string {
	t.Helper()
	raw, _, err := unstructured.NestedString(d.Object, "spec", "json")
	if err != nil || raw == "" {
		t.Fatalf("spec.json: %q %v", raw, err)
	}
	return raw
}

// TestDashboardMatchesGrafanaSchema: every rendered dashboard is a valid
// Grafana dashboard model, and the checks fail for a model that is not.
func TestDashboardMatchesGrafanaSchema(t *testing.T) {
	var raw string
	for _, dir := range dashboardCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw = dashboardJSON(t, renderedDashboard(t, dir))
			if err := checkDashboardJSON(raw); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Each mutation must fail the schema alone; sdk marks those the SDK's
	// strict decoding refuses too.
	mutations := map[string]struct {
		from, to, want string
		sdk            bool
	}{
		"misspelled key":    {`"schemaVersion":`, `"schemaVersoin":`, "schemaVersoin", true},
		"grid overflow":     {`"w": 8,`, `"w": 25,`, "maximum", false},
		"variable type":     {`"type": "datasource",`, `"type": "prometheus",`, "type", false},
		"threshold as text": {`"value": 0.`, `"value": "0.`, "value", true},
	}
	for name, m := range mutations {
		t.Run("rejects "+name, func(t *testing.T) {
			if !strings.Contains(raw, m.from) {
				t.Fatalf("the model has no %s to mutate", m.from)
			}
			bad := strings.Replace(raw, m.from, m.to, 1)
			if name == "threshold as text" {
				// Close the quote after the number.
				i := strings.Index(bad, `"value": "0.`) + len(`"value": "0.`)
				j := i + bytes.IndexAny([]byte(bad[i:]), ",\n")
				bad = bad[:j] + `"` + bad[j:]
			}
			if err := schemaCheck(bad); err == nil || !strings.Contains(err.Error(), m.want) {
				t.Fatalf("schema: err = %v, want one mentioning %q", err, m.want)
			}
			if err := sdkCheck(bad); m.sdk && err == nil {
				t.Fatal("the SDK's strict decoding accepts it")
			}
		})
	}
}
