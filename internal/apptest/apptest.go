// Package apptest draws valid apps for property tests.
package apptest

import (
	"fmt"
	"unicode"

	"pgregory.net/rapid"
	"sigs.k8s.io/yaml"

	"github.com/vibe-coder-biz/idp/appspec"
)

// GenApp draws a valid, defaulted app: every optional field is sometimes
// set, always within what validation accepts.
func GenApp(t *rapid.T, p appspec.Platform) *appspec.App {
	name := rapid.StringMatching(`[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,3}`).Filter(func(s string) bool {
		return len(s) >= 2 && len(appspec.ValidateName(s, nil)) == 0
	}).Draw(t, "name")
	port := rapid.Int32Range(1024, 65535).Draw(t, "port")
	app := &appspec.App{
		APIVersion: appspec.APIVersion,
		Kind:       appspec.Kind,
		Metadata:   appspec.Metadata{Name: name},
		Spec: appspec.Spec{
			Owner: rapid.StringMatching(`team-[a-z]{1,8}`).Draw(t, "owner"),
			Image: p.AppRepository(name) + ":" + rapid.StringMatching(`[0-9a-f]{7,12}`).Draw(t, "tag"),
			Port:  port,
		},
	}
	s := &app.Spec
	if rapid.Bool().Draw(t, "setReplicas") {
		s.Replicas = ptr(rapid.Int32Range(1, 20).Draw(t, "replicas"))
	}
	if rapid.Bool().Draw(t, "setMetrics") {
		s.Metrics = &appspec.Metrics{Enabled: ptr(rapid.Bool().Draw(t, "metricsOn"))}
		if rapid.Bool().Draw(t, "metricsPort") {
			s.Metrics.Port = rapid.Int32Range(1024, 65535).Draw(t, "mport")
		}
	}
	if rapid.Bool().Draw(t, "setIngress") {
		s.Ingress = &appspec.Ingress{Enabled: ptr(rapid.Bool().Draw(t, "ingressOn"))}
		if rapid.Bool().Draw(t, "explicitHost") {
			s.Ingress.Host = p.Host(name)
		}
	}
	if rapid.Bool().Draw(t, "setAutoscaling") {
		least := appspec.DefaultReplicas
		if s.Replicas != nil {
			least = *s.Replicas
		}
		s.Autoscaling = &appspec.Autoscaling{MaxReplicas: rapid.Int32Range(least, 20).Draw(t, "maxReplicas")}
	}
	if rapid.Bool().Draw(t, "setEgress") {
		s.Egress = &appspec.EgressRule{HTTPS: ptr(rapid.Bool().Draw(t, "https"))}
	}
	if rapid.Bool().Draw(t, "setSecretKey") {
		s.Secrets = &appspec.Secrets{Key: p.SecretKey(name) + "/" + rapid.StringMatching(`[a-z]{1,8}`).Draw(t, "sub")}
	}
	n := rapid.IntRange(0, 4).Draw(t, "envs")
	for i := range n {
		s.Env = append(s.Env, appspec.EnvVar{Name: fmt.Sprintf("VAR_%d", i), Value: printable.Draw(t, "value")})
	}
	appspec.SetDefaults(app, p)
	if errs := appspec.Validate(app, p); len(errs) > 0 {
		t.Fatalf("generator drew an invalid app: %v", errs)
	}
	return app
}

func ptr[T any](v T) *T { return &v }

// printable draws what validation accepts in free text: letters, numbers,
// punctuation, symbols and spaces from all of Unicode.
var printable = rapid.StringOf(rapid.RuneFrom(nil, unicode.L, unicode.N, unicode.P, unicode.S, unicode.Zs))

// YAML writes app as an app.yaml.
func YAML(t *rapid.T, app *appspec.App) []byte {
	out, err := yaml.Marshal(app)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
