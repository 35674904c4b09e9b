package awsfake_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/aws/aws-sdk-go/service/secretsmanager"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

// TestSignatureRejected drives the SDK with credentials or settings the fake
// must refuse, each with the code Secrets Manager answers.
func TestSignatureRejected(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/apps/a", "v")
	good := f.AddAccessKey(awsfake.AccessKey{Role: roleARN})
	session := credentials.NewCredentials(webIdentityProvider{f, t})
	sv, err := session.Get()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		creds  *credentials.Credentials
		region string
		code   string
		msg    string
	}{
		{"good static key", credentials.NewStaticCredentials(good.ID, good.Secret, ""), region, "", ""},
		{"wrong secret", credentials.NewStaticCredentials(good.ID, good.Secret+"x", ""), region, "InvalidSignatureException", ""},
		{"unknown key", credentials.NewStaticCredentials("AKIAUNKNOWNUNKNOWN00", "s", ""), region,
			"UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong region", credentials.NewStaticCredentials(good.ID, good.Secret, ""), "eu-west-1",
			"InvalidSignatureException", "Credential should be scoped to a valid region. "},
		{"session key without its token", credentials.NewStaticCredentials(sv.AccessKeyID, sv.SecretAccessKey, ""), region,
			"UnrecognizedClientException", "The security token included in the request is invalid."},
		{"session key with another token", credentials.NewStaticCredentials(sv.AccessKeyID, sv.SecretAccessKey, "bm9wZQ=="), region,
			"UnrecognizedClientException", ""},
		{"static key with a token", credentials.NewStaticCredentials(good.ID, good.Secret, sv.SessionToken), region,
			"UnrecognizedClientException", ""},
		{"anonymous", credentials.AnonymousCredentials, region, "MissingAuthenticationTokenException", "Missing Authentication Token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sess := newSession(t, f, tc.creds, aws.NewConfig().WithRegion(tc.region))
			_, err := secretsmanager.New(sess).GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/a")})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantAWSError(t, err, tc.code, 400, tc.msg)
		})
	}
}

// webIdentityProvider is ESO's credentials provider, for tests that need
// the raw session values.
type webIdentityProvider struct {
	f *awsfake.Fake
	t testing.TB
}

func (p webIdentityProvider) Retrieve() (credentials.Value, error) {
	return webIdentityCreds(p.t, p.f, token(p.t, serviceAccountKey(p.t), claims())).Get()
}

func (webIdentityProvider) IsExpired() bool { return false }

// rawCall signs a request with aws-sdk-go's signer, lets mutate change it
// after signing, and returns the response.
func rawCall(t *testing.T, f *awsfake.Fake, k awsfake.AccessKey, body string, at time.Time, mutate func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.URL()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	signer := v4.NewSigner(credentials.NewStaticCredentials(k.ID, k.Secret, ""))
	if _, err := signer.Sign(req, strings.NewReader(body), "secretsmanager", region, at); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestWireFormat pins the exact bytes AWS documents for an error, and the
// signature checks the SDK cannot be made to trip.
func TestWireFormat(t *testing.T) {
	f, c := start(t)
	k := f.AddAccessKey(awsfake.AccessKey{Role: roleARN})
	now := time.Now()
	for _, tc := range []struct {
		name, body string
		at         time.Time
		mutate     func(*http.Request)
		status     int
		want       string // body, or its prefix when it ends in "…"
	}{
		{name: "not found", body: `{"SecretId":"idp/missing"}`, at: now, status: 400,
			want: `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`},
		{name: "body changed after signing", body: `{"SecretId":"idp/missing"}`, at: now, status: 400,
			mutate: func(r *http.Request) { r.Body = io.NopCloser(bytes.NewReader([]byte(`{"SecretId":"idp/other"}`))) },
			want:   `{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided.…`},
		{name: "signed header changed", body: `{"SecretId":"idp/missing"}`, at: now, status: 400,
			mutate: func(r *http.Request) { r.Header.Set("X-Amz-Target", "secretsmanager.DescribeSecret") },
			want:   `{"__type":"InvalidSignatureException"…`},
		{name: "stale", body: `{"SecretId":"idp/missing"}`, at: now.Add(-10 * time.Minute), status: 400,
			want: `{"__type":"InvalidSignatureException","message":"Signature expired: …`},
		{name: "from the future", body: `{"SecretId":"idp/missing"}`, at: now.Add(10 * time.Minute), status: 400,
			want: `{"__type":"InvalidSignatureException","message":"Signature not yet current: …`},
		{name: "no date", body: `{}`, at: now, status: 400,
			mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			want:   `{"__type":"IncompleteSignatureException"…`},
		{name: "unknown operation", body: `{}`, at: now, status: 400,
			mutate: func(r *http.Request) { r.Header.Set("X-Amz-Target", "secretsmanager.Nope") },
			want:   `{"__type":"InvalidSignatureException"…`}, // re-targeting breaks the signature first
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawCall(t, f, k, tc.body, tc.at, tc.mutate)
			prefix, partial := strings.CutSuffix(tc.want, "…")
			if resp.StatusCode != tc.status || (partial && !strings.HasPrefix(body, prefix)) || (!partial && body != tc.want) {
				t.Errorf("HTTP %d %s\nwant HTTP %d %s", resp.StatusCode, body, tc.status, tc.want)
			}
			if resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" || resp.Header.Get("X-Amzn-Requestid") == "" {
				t.Errorf("headers %v", resp.Header)
			}
		})
	}

	// The fake's clock, not the client's, decides what is stale.
	c.Advance(time.Hour)
	if resp, body := rawCall(t, f, k, `{"SecretId":"idp/missing"}`, now.Add(time.Hour), nil); resp.StatusCode != 400 || !strings.Contains(body, "ResourceNotFoundException") {
		t.Errorf("with a shifted clock: HTTP %d %s", resp.StatusCode, body)
	}
}

// TestQueryAndPath: odd query strings and paths are canonicalized as the
// SDK signs them (the JSON protocol never sends them, but the verifier is
// general).
func TestQueryAndPath(t *testing.T) {
	f, _ := start(t)
	k := f.AddAccessKey(awsfake.AccessKey{Role: roleARN})
	for _, path := range []string{"/?b=2&a=1&a=0", "/?x=a%20b&y=~%2F+", "/a%20b/c"} {
		req, _ := http.NewRequest(http.MethodPost, f.URL()+path, nil)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		body := `{"SecretId":"idp/missing"}`
		if _, err := v4.NewSigner(credentials.NewStaticCredentials(k.ID, k.Secret, "")).Sign(req, strings.NewReader(body), "secretsmanager", region, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "ResourceNotFoundException") {
			t.Errorf("%s: %s", path, b)
		}
	}
}
