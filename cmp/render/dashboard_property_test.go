package render_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/cmp/render"
	"github.com/vibe-coder-biz/idp/internal/apptest"
)

// grafanaUID is what Grafana and the GrafanaDashboard CRD accept as a uid.
var grafanaUID = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,40}$`)

// genName draws any valid app name, up to the longest validation allows,
// so that names whose uid must be cut are drawn too.
func genName(t *rapid.T, label string) string {
	n := rapid.IntRange(appspec.MinNameLength, appspec.MaxNameLength).Draw(t, label+"Len")
	return rapid.StringMatching(fmt.Sprintf(`[a-z][-a-z0-9]{%d}[a-z0-9]`, n-2)).Filter(func(s string) bool {
		return len(appspec.ValidateName(s, nil)) == 0
	}).Draw(t, label)
}

// TestDashboardUIDProperties: a dashboard's uid is Grafana-valid, the same
// on every render, and never shared by two app names.
func TestDashboardUIDProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genName(t, "a"), genName(t, "b")
		ua := render.DashboardUID(a)
		if !grafanaUID.MatchString(ua) {
			t.Fatalf("uid %q of %q is not a Grafana uid", ua, a)
		}
		if render.DashboardUID(a) != ua {
			t.Fatal("the uid changes between calls")
		}
		if a != b && render.DashboardUID(b) == ua {
			t.Fatalf("%q and %q share uid %q", a, b, ua)
		}
		// Names that differ only past the cut still differ.
		if len(a) > 30 {
			c := a[:len(a)-1] + string('a'+(a[len(a)-1]-'a'+1)%26)
			if len(appspec.ValidateName(c, nil)) == 0 && render.DashboardUID(c) == ua {
				t.Fatalf("%q and %q share uid %q", a, c, ua)
			}
		}
	})
}

// TestDashboardProperties: for any app with metrics, the GrafanaDashboard
// sits in the owner's folder, selects the platform's Grafana, carries the
// app's uid in the object and the model, and its model is valid JSON that
// Grafana's schema and the SDK's strict types accept.
func TestDashboardProperties(t *testing.T) {
	p := testPlatform()
	rapid.Check(t, func(t *rapid.T) {
		app := apptest.GenApp(t, p)
		var d *render.GrafanaDashboard
		for _, o := range render.App(app, p) {
			if g, ok := o.(*render.GrafanaDashboard); ok {
				d = g
			}
		}
		if (d != nil) != *app.Spec.Metrics.Enabled {
			t.Fatalf("metrics %v, dashboard %v", *app.Spec.Metrics.Enabled, d != nil)
		}
		if d == nil {
			return
		}
		s := d.Spec
		if s.Folder != app.Spec.Owner || s.UID != render.DashboardUID(app.Metadata.Name) || d.Namespace != app.Metadata.Name {
			t.Fatalf("folder %q uid %q namespace %q", s.Folder, s.UID, d.Namespace)
		}
		if !mapsEqual(s.InstanceSelector.MatchLabels, render.GrafanaInstanceLabels) || len(s.InstanceSelector.MatchExpressions) != 0 {
			t.Fatalf("instanceSelector %+v", s.InstanceSelector)
		}
		if !json.Valid([]byte(s.JSON)) {
			t.Fatal("spec.json is not JSON")
		}
		if err := checkDashboardJSON(s.JSON); err != nil {
			t.Fatal(err)
		}
		var model struct {
			UID  string   `json:"uid"`
			Tags []string `json:"tags"`
		}
		_ = json.Unmarshal([]byte(s.JSON), &model)
		if model.UID != s.UID || !slices.Contains(model.Tags, app.Metadata.Name) || !slices.Contains(model.Tags, "team:"+app.Spec.Owner) {
			t.Fatalf("model uid %q tags %v", model.UID, model.Tags)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
