package gitlabfake_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/vibe-coder-biz/idp/internal/gitlabfake"
)

func TestVariablesFollowGitLabsMaskingRules(t *testing.T) {
	f, _ := startManaged(t, gitlabfake.Options{})
	c := client(t, f)
	p := create(t, c, f, "apps", "hello")
	api := f.APIURL() + "/projects/" + itoa(p.ID) + "/variables"

	v, resp, err := c.ProjectVariables.CreateVariable(p.ID, &gitlab.CreateProjectVariableOptions{
		Key: gitlab.Ptr("GITOPS_TOKEN"), Value: gitlab.Ptr("glpat-abcdefgh12345678"), MaskedAndHidden: gitlab.Ptr(true), Protected: gitlab.Ptr(true),
	})
	if err != nil || resp.StatusCode != 201 || !v.Masked || !v.Hidden || v.Value != "" {
		t.Fatalf("hidden: %+v, %v", v, err)
	}
	code, body := send(t, "GET", api+"/GITOPS_TOKEN", "", nil)
	expectBody(t, "hidden read", code, body, 200, `{"variable_type":"env_var","key":"GITOPS_TOKEN","value":null,"hidden":true,"protected":true,"masked":true,"raw":false,"environment_scope":"*","description":null}`)

	for name, tc := range map[string]struct {
		body   map[string]any
		status int
		want   string
	}{
		"duplicate key":     {map[string]any{"key": "GITOPS_TOKEN", "value": "x"}, 400, `{"message":{"key":["(GITOPS_TOKEN) has already been taken"]}}`},
		"masked too short":  {map[string]any{"key": "A", "value": "short", "masked": true}, 400, `{"message":{"value":["is invalid"]}}`},
		"masked with space": {map[string]any{"key": "B", "value": "has a space in it", "masked": true}, 400, `{"message":{"value":["is invalid"]}}`},
		"masked multi-line": {map[string]any{"key": "C", "value": "line-one\nline-two", "masked": true}, 400, `{"message":{"value":["is invalid"]}}`},
		"masked raw space":  {map[string]any{"key": "D", "value": "a b c d e f g h", "masked": true, "raw": true}, 400, `{"message":{"value":["is invalid"]}}`},
		"bad key":           {map[string]any{"key": "NOT-OK", "value": "v"}, 400, `{"message":{"key":["can contain only letters, digits and '_'."]}}`},
		"bad type":          {map[string]any{"key": "E", "value": "v", "variable_type": "secret"}, 400, `{"error":"variable_type does not have a valid value"}`},
		"no value":          {map[string]any{"key": "F"}, 400, `{"error":"value is missing"}`},
	} {
		t.Run(name, func(t *testing.T) {
			code, body := send(t, "POST", api, "", tc.body)
			expectBody(t, name, code, body, tc.status, tc.want)
		})
	}
	// Raw masked values may use any non-space character; other scopes may
	// reuse a key.
	for _, body := range []map[string]any{
		{"key": "RAW", "value": "p@ss$word!{}", "masked": true, "raw": true},
		{"key": "GITOPS_TOKEN", "value": "x", "environment_scope": "production"},
	} {
		if code, out := send(t, "POST", api, "", body); code != 201 {
			t.Fatalf("create %v: %d %s", body, code, out)
		}
	}
	code, body = send(t, "GET", api+"/GITOPS_TOKEN", "", nil)
	expectBody(t, "two scopes", code, body, 409, `{"message":"There are multiple variables with provided parameters. Please use 'filter[environment_scope]'"}`)

	up, _, err := c.ProjectVariables.UpdateVariable(p.ID, "RAW", &gitlab.UpdateProjectVariableOptions{Value: gitlab.Ptr("another-value")})
	if err != nil || up.Value != "another-value" {
		t.Fatalf("update: %+v, %v", up, err)
	}
	if _, err := c.ProjectVariables.RemoveVariable(p.ID, "RAW", nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	code, body = send(t, "GET", api+"/RAW", "", nil)
	expectBody(t, "deleted", code, body, 404, `{"message":"404 Variable Not Found"}`)
	list, _, err := c.ProjectVariables.ListVariables(p.ID, nil)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
}
