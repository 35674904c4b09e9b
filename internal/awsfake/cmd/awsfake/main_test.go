package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/secretsmanager"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

const state = `{"roles": [{"arn": "arn:aws:iam::123456789012:role/r", "subjects": ["s"], "secret_prefixes": ["idp/"]}],
 "access_keys": [{"id": "AKIAFAKEFAKEFAKEFAKE", "secret": "c2VjcmV0", "role": "arn:aws:iam::123456789012:role/r"}],
 "secrets": [{"name": "idp/a", "string": "one"}]}`

// TestAdmin drives the admin API as a shell test would (curl), and checks
// the result through the SDK on the same listener.
func TestAdmin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	f := awsfake.New(awsfake.Options{})
	reload := func() error { return loadState(f, path) }
	if err := reload(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(withAdmin(f, newAdmin(f, reload)))
	t.Cleanup(srv.Close)
	sess := session.Must(session.NewSessionWithOptions(session.Options{
		Config: aws.Config{Endpoint: aws.String(srv.URL), Region: aws.String("us-east-2"), MaxRetries: aws.Int(0),
			Credentials: credentials.NewStaticCredentials("AKIAFAKEFAKEFAKEFAKE", "c2VjcmV0", "")},
		SharedConfigState: session.SharedConfigDisable,
	}))
	sm := secretsmanager.New(sess)
	value := func(name string) string {
		out, err := sm.GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			return err.(interface{ Code() string }).Code()
		}
		return aws.StringValue(out.SecretString)
	}

	for _, step := range []struct {
		method, path, body string
		status             int
		name, want         string // then GetSecretValue(name) must give want
	}{
		{"PUT", "/_fake/secrets/idp/apps/new", `{"k":"v"}`, 200, "idp/apps/new", `{"k":"v"}`},
		{"DELETE", "/_fake/secrets/idp/apps/new?recovery=true", "", 204, "idp/apps/new", "InvalidRequestException"},
		{"POST", "/_fake/restore/idp/apps/new", "", 204, "idp/apps/new", `{"k":"v"}`},
		{"DELETE", "/_fake/secrets/idp/apps/new", "", 204, "idp/apps/new", "ResourceNotFoundException"},
		{"DELETE", "/_fake/secrets/idp/apps/new", "", 404, "", ""},
		{"POST", "/_fake/faults", `{"action":"GetSecretValue","code":"ThrottlingException","times":1}`, 204, "idp/a", "ThrottlingException"},
		{"POST", "/_fake/faults", `{"delay":"bad"}`, 400, "idp/a", "one"},
		{"PUT", "/_fake/secrets/idp/a", "two", 200, "idp/a", "two"},
		{"POST", "/_fake/reload", "", 204, "idp/a", "one"},
		{"GET", "/_fake/requests", "", 200, "", ""},
		{"PUT", "/_fake/rate-limit", `{"service":"secretsmanager","limit":1,"period":"1h"}`, 204, "idp/a", "one"},
	} {
		req, _ := http.NewRequest(step.method, srv.URL+step.path, strings.NewReader(step.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != step.status {
			t.Fatalf("%s %s: HTTP %d %s, want %d", step.method, step.path, resp.StatusCode, b, step.status)
		}
		if step.name != "" {
			if got := value(step.name); got != step.want {
				t.Fatalf("after %s %s: %s = %q, want %q", step.method, step.path, step.name, got, step.want)
			}
		}
	}
	if got := value("idp/a"); got != "ThrottlingException" {
		t.Errorf("past the rate limit: %q", got)
	}
}
