package render

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"pgregory.net/rapid"
	"sigs.k8s.io/randfill"

	"github.com/vibe-coder-biz/idp/appspec"
	"github.com/vibe-coder-biz/idp/internal/apptest"
)

func encodeNode(t testing.TB, n *yaml.Node) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// walkedLikeJSON fails unless the walk of o writes what the JSON route
// writes, or declines o (errInexact), which it reports.
func walkedLikeJSON(t testing.TB, o any) (walked bool) {
	t.Helper()
	var w walker
	got, err := w.value(reflect.ValueOf(o))
	want, jsonErr := viaJSON(o)
	switch {
	case errors.Is(err, errInexact):
		return false
	case err != nil:
		t.Fatalf("%T: walk: %v", o, err)
	case jsonErr != nil:
		t.Fatalf("%T: the walk succeeds where the JSON route fails: %v", o, jsonErr)
	}
	if g, w := encodeNode(t, got), encodeNode(t, want); !bytes.Equal(g, w) {
		t.Fatalf("%T: the walk writes\n%s\nthe JSON route\n%s", o, g, w)
	}
	return true
}

// TestRendersAreWalked: every object of every render is walked, never sent
// the slow JSON route, and the walk writes what the JSON route would.
func TestRendersAreWalked(t *testing.T) {
	p := appspec.DefaultPlatform()
	check := func(t testing.TB, objs []Object) {
		for _, o := range objs {
			if !walkedLikeJSON(t, o) {
				t.Fatalf("%T takes the JSON route; teach the walker (encode.go) its field types", o)
			}
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		app := apptest.GenApp(rt, p)
		check(t, App(app, p))
		objs, err := Project(app, p, "https://gitlab.example.com/gitops/"+app.Metadata.Name+".git")
		if err != nil {
			t.Fatal(err)
		}
		check(t, objs)
	})
}

// nasty are strings that YAML reads as something else, or that JSON and
// YAML escape differently; declined ones the walk leaves to the JSON route.
var (
	nasty = []string{
		"", "3000", "-1", "0x1F", "1e3", ".5", "true", "yes", "no", "on", "null", "~", "-", "- a", ": ", "a: b",
		"#", "a #b", "'", "\"", "\\", "<a&b>", "{}", "[]", "*a", "&a", "!tag", "%x", "@x", "`x", "|", ">",
		" lead", "trail ", "tab\there", "line\nbreak", "cr\rx", "\x00", "\x01\x1f", "\u00a0", "\u2028",
		"\u2029", "\ufffd", "\U0001F600", "é", "2024-01-01", "1:20", "0o17", "+1", "00", ".inf", "NaN", "=",
		"<<", strings.Repeat("k", 170),
	}
	declined = []string{"\x7f", "\u0085", "\u009f", "\ufeff", "\ufffe", "\xff", "a\xc3", strings.Repeat("k", 171), strings.Repeat("k", 1100)}
)

func filler(seed int64) *randfill.Filler {
	quantities := []string{"0", "100m", "1", "1.5", "128Mi", "2Gi", "1e3", "-3"}
	return randfill.NewWithSeed(seed).NilChance(0.4).NumElements(0, 2).MaxDepth(12).Funcs(
		func(s *string, c randfill.Continue) {
			switch n := c.Intn(300); {
			case n == 0:
				*s = declined[c.Intn(len(declined))]
			case n < 100:
				*s = nasty[c.Intn(len(nasty))]
			default:
				*s = c.String(12)
			}
		},
		func(q *resource.Quantity, c randfill.Continue) {
			*q = resource.MustParse(quantities[c.Intn(len(quantities))])
		},
		func(tm *metav1.Time, c randfill.Continue) {
			if c.Bool() {
				*tm = metav1.Unix(c.Int63n(1<<33), 0)
			}
		},
		func(tm *metav1.MicroTime, c randfill.Continue) {},
		func(d *metav1.Duration, c randfill.Continue) { d.Duration = 0 },
		func(v *intstr.IntOrString, c randfill.Continue) {
			if c.Bool() {
				*v = intstr.FromInt32(c.Int31())
			} else {
				var s string
				c.Fill(&s)
				*v = intstr.FromString(s)
			}
		},
		func(r *runtime.RawExtension, c randfill.Continue) {},
		func(f *metav1.FieldsV1, c randfill.Continue) {},
	)
}

// TestWalkMatchesJSONRoute holds the walk to the JSON route on random
// objects of the kinds the platform renders or may render.
func TestWalkMatchesJSONRoute(t *testing.T) {
	kinds := []func() Object{
		func() Object { return &corev1.Namespace{} },
		func() Object { return &corev1.ServiceAccount{} },
		func() Object { return &corev1.Service{} },
		func() Object { return &corev1.ConfigMap{} },
		func() Object { return &corev1.Secret{} },
		func() Object { return &corev1.ResourceQuota{} },
		func() Object { return &corev1.LimitRange{} },
		func() Object { return &appsv1.Deployment{} },
		func() Object { return &batchv1.CronJob{} },
		func() Object { return &autoscalingv2.HorizontalPodAutoscaler{} },
		func() Object { return &networkingv1.Ingress{} },
		func() Object { return &networkingv1.NetworkPolicy{} },
		func() Object { return &policyv1.PodDisruptionBudget{} },
		func() Object { return &rbacv1.Role{} },
		func() Object { return &rbacv1.RoleBinding{} },
		func() Object { return &monitoringv1.ServiceMonitor{} },
		func() Object { return &ExternalSecret{} },
	}
	runs := 60
	if testing.Short() {
		runs = 10
	}
	for _, kind := range kinds {
		t.Run(reflect.TypeOf(kind()).Elem().Name(), func(t *testing.T) {
			walked := 0
			for i := range runs {
				o := kind()
				filler(int64(i)).Fill(o)
				if walkedLikeJSON(t, o) {
					walked++
				}
			}
			t.Logf("%d of %d walked, the rest took the JSON route", walked, runs)
			if walked == 0 {
				t.Fatal("no object was walked")
			}
		})
	}
}

// TestWalkStrings: every string, as a value and as a key.
func TestWalkStrings(t *testing.T) {
	for _, s := range append(nasty, declined...) {
		cm := &corev1.ConfigMap{Data: map[string]string{s: s, "v": s}}
		cm.Name = s
		if walked := walkedLikeJSON(t, cm); walked == slices.Contains(declined, s) {
			t.Errorf("%q: walked %v", s, walked)
		}
	}
}
