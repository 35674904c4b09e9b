package awsfake_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/service/secretsmanager"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

const stateJSON = `{
  "roles": [{"arn": "arn:aws:iam::123456789012:role/idp-external-secrets",
             "subjects": ["system:serviceaccount:external-secrets:external-secrets"],
             "secret_prefixes": ["idp/"]}],
  "access_keys": [{"id": "AKIAFAKEFAKEFAKEFAKE", "secret": "c2VjcmV0", "role": "arn:aws:iam::123456789012:role/idp-external-secrets"}],
  "secrets": [{"name": "idp/apps/hello-world", "string": "{\"API_KEY\":\"one\"}"},
              {"name": "idp/apps/bin", "binary": "AAEC"},
              {"name": "idp/platform/backstage"}]
}`

func TestState(t *testing.T) {
	st, err := awsfake.ReadState(strings.NewReader(stateJSON))
	if err != nil {
		t.Fatal(err)
	}
	f := awsfake.Start(t, awsfake.Options{})
	if err := f.Apply(st); err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.New(newSession(t, f, credentials.NewStaticCredentials("AKIAFAKEFAKEFAKEFAKE", "c2VjcmV0", "")))
	get := func(id string) (string, error) {
		out, err := sm.GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			return "", err
		}
		return aws.StringValue(out.SecretString) + string(out.SecretBinary), nil
	}
	if v, err := get("idp/apps/hello-world"); err != nil || v != `{"API_KEY":"one"}` {
		t.Fatalf("%q, %v", v, err)
	}
	if v, err := get("idp/apps/bin"); err != nil || v != "\x00\x01\x02" {
		t.Fatalf("%q, %v", v, err)
	}
	_, err = get("idp/platform/backstage")
	wantAWSError(t, err, "ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
	before, _ := f.Secret("idp/apps/bin")

	// A reload: one value changes, one secret goes, the rest is untouched.
	st.Secrets[0].String = aws.String(`{"API_KEY":"two"}`)
	st.Secrets = st.Secrets[:2]
	if err := f.Apply(st); err != nil {
		t.Fatal(err)
	}
	if v, err := get("idp/apps/hello-world"); err != nil || v != `{"API_KEY":"two"}` {
		t.Fatalf("after reload: %q, %v", v, err)
	}
	if s, _ := f.Secret("idp/apps/hello-world"); s.Versions != 2 {
		t.Errorf("%d versions, want 2", s.Versions)
	}
	if after, _ := f.Secret("idp/apps/bin"); after.CurrentVersion != before.CurrentVersion {
		t.Error("an unchanged secret got a new version")
	}
	if _, ok := f.Secret("idp/platform/backstage"); ok {
		t.Error("a secret missing from the state survived")
	}
}

func TestReadStateRejects(t *testing.T) {
	for _, bad := range []string{
		`{"rolez": []}`,
		`{"secrets": [{"name": "a"}, {"name": "a"}]}`,
		`{"secrets": [{"name": "a", "string": "x", "binary": "AA=="}]}`,
		`{"roles": [{"arn": "idp-external-secrets"}]}`,
	} {
		if _, err := awsfake.ReadState(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
