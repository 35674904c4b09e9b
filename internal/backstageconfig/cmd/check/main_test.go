package main

import (
	"bytes"
	"strings"
	"testing"
)

const (
	production  = "../../../../manifests/backstage/app-config.production.yaml"
	development = "../../../../manifests/backstage/app-config.development.yaml"
)

func TestRun(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"production passes", []string{production}, 0, "ok: " + production, ""},
		{"development passes with -development", []string{"-development", development}, 0, "ok: ", ""},
		{"development refused as production", []string{development}, 1, "", "auth.providers.guest: guest sign-in is refused in production"},
		{"production refused as development", []string{"-development", production}, 1, "", "auth.providers.guest: development keeps guest sign-in"},
		{"merged in order: development over production keeps guest", []string{production, development}, 1, "", "guest sign-in is refused"},
		{"fewer variables provided", []string{"-env", "BACKSTAGE_HOST", production}, 1, "", "integrations.gitlab[0].token: substitutes ${GITLAB_TOKEN}, which the deployment does not provide"},
		{"no file", nil, 2, "", "usage: check"},
		{"unknown flag", []string{"-strict", production}, 2, "", "flag provided but not defined"},
		{"missing file", []string{"nope.yaml"}, 1, "", "nope.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr)
			if code != c.code || !strings.Contains(stdout.String(), c.out) || !strings.Contains(stderr.String(), c.err) {
				t.Fatalf("exit %d, stdout %q, stderr %q\nwant exit %d, stdout with %q, stderr with %q", code, stdout.String(), stderr.String(), c.code, c.out, c.err)
			}
			if code != 0 && stdout.Len() != 0 {
				t.Fatalf("a refusal printed to stdout: %q", stdout.String())
			}
		})
	}
}
