package grafanafake_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/vibe-coder-biz/idp/hack/grafana/grafanafake"
)

// TestInstanceChecks: the two calls the operator makes to accept an
// external instance answer as Grafana's handlers do, behind the token.
func TestInstanceChecks(t *testing.T) {
	s := grafanafake.Start(t, token)
	get := func(path, key string) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodGet, s.URL+"/api"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return resp.StatusCode, body
	}
	if code, body := get("/login/ping", token); code != 200 || body["message"] != "Logged in" {
		t.Errorf("login/ping: %d %v", code, body)
	}
	code, body := get("/frontend/settings", token)
	info, _ := body["buildInfo"].(map[string]any)
	if code != 200 || info["version"] != grafanafake.Version {
		t.Errorf("frontend/settings: %d %v", code, body)
	}
	if code, body := get("/login/ping", "wrong"); code != 401 || body["message"] != "Unauthorized" {
		t.Errorf("login/ping with a wrong token: %d %v", code, body)
	}
}
