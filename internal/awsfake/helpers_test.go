package awsfake_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/client"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/credentials/stscreds"
	"github.com/aws/aws-sdk-go/aws/endpoints"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/secretsmanager"
	"github.com/aws/aws-sdk-go/service/sts"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

// The identities of the platform: ESO's service account and its IRSA role,
// which reads idp/* only (terraform/modules/iam).
const (
	region  = "us-east-2"
	issuer  = "https://kubernetes.default.svc.cluster.local"
	roleARN = "arn:aws:iam::123456789012:role/idp-external-secrets"
	esoSub  = "system:serviceaccount:external-secrets:external-secrets"
)

// clock is the wall clock plus a settable offset: the SDK signs with the
// wall clock, so a fake's clock may only drift from it on purpose.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

var (
	keyOnce sync.Once
	saKey   *rsa.PrivateKey // stands in for kube-apiserver's --service-account-signing-key-file
)

func serviceAccountKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		saKey = k
	})
	return saKey
}

// start returns a fake holding the platform's role and verifying tokens
// against the service-account key, served on loopback.
func start(t testing.TB) (*awsfake.Fake, *clock) {
	t.Helper()
	c := &clock{}
	f := awsfake.Start(t, awsfake.Options{
		Now: c.Now, Issuer: issuer,
		TokenKeys: []crypto.PublicKey{&serviceAccountKey(t).PublicKey},
	})
	if err := f.AddRole(awsfake.Role{ARN: roleARN, Subjects: []string{esoSub}, SecretPrefixes: []string{"idp/"}}); err != nil {
		t.Fatal(err)
	}
	return f, c
}

// claims are those of a TokenRequest token for ESO's service account with
// audience sts.amazonaws.com, as ESO requests it.
func claims() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": issuer, "sub": esoSub, "aud": []string{"sts.amazonaws.com"},
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// token signs claims as kube-apiserver does (RS256), or with ES256 for an
// ECDSA key.
func token(t testing.TB, key crypto.Signer, c map[string]any) string {
	t.Helper()
	alg := "RS256"
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		alg = "ES256"
	}
	hdr, _ := json.Marshal(map[string]string{"alg": alg, "kid": "test"})
	body, _ := json.Marshal(c)
	input := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if ek, ok := key.(*ecdsa.PrivateKey); ok {
		sig = jwsECDSA(t, ek, digest[:])
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func jwsECDSA(t testing.TB, k *ecdsa.PrivateKey, digest []byte) []byte {
	r, s, err := ecdsa.Sign(rand.Reader, k, digest)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// resolver mirrors ESO's (pkg/provider/aws/auth/resolver.go, v0.16.2): the
// AWS_SECRETSMANAGER_ENDPOINT and AWS_STS_ENDPOINT overrides, here both the
// fake.
func resolver(url string) endpoints.ResolverFunc {
	return func(service, region string, opts ...func(*endpoints.Options)) (endpoints.ResolvedEndpoint, error) {
		if service == "secretsmanager" || service == "sts" {
			return endpoints.ResolvedEndpoint{URL: url}, nil
		}
		return endpoints.DefaultResolver().EndpointFor(service, region, opts...)
	}
}

// fastRetries makes the SDK's retries (throttling included) back off for a
// millisecond, so tests of retry behaviour stay fast.
var fastRetries = client.DefaultRetryer{
	NumMaxRetries: 3, MinRetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond,
	MinThrottleDelay: time.Millisecond, MaxThrottleDelay: time.Millisecond,
}

// newSession builds an SDK session the way ESO does (auth.New), with the
// given credentials; retries are off unless the caller passes a retryer.
func newSession(t testing.TB, f *awsfake.Fake, creds *credentials.Credentials, cfgs ...*aws.Config) *session.Session {
	t.Helper()
	cfg := aws.NewConfig().WithEndpointResolver(resolver(f.URL())).WithRegion(region).
		WithCredentials(creds).WithMaxRetries(0)
	sess, err := session.NewSessionWithOptions(session.Options{
		Config: *cfg, SharedConfigState: session.SharedConfigDisable,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfgs {
		sess.Config.MergeIn(c)
	}
	return sess
}

// tokenFetcher hands the SDK a fixed web identity token (ESO's fetcher asks
// the TokenRequest API for one).
type tokenFetcher string

func (tf tokenFetcher) FetchToken(credentials.Context) ([]byte, error) { return []byte(tf), nil }

// webIdentityCreds are ESO's credentials for a jwt-auth store
// (DefaultJWTProvider): AssumeRoleWithWebIdentity with session name
// external-secrets-provider-aws.
func webIdentityCreds(t testing.TB, f *awsfake.Fake, tok string) *credentials.Credentials {
	t.Helper()
	stsClient := sts.New(newSession(t, f, credentials.AnonymousCredentials))
	return credentials.NewCredentials(stscreds.NewWebIdentityRoleProviderWithOptions(
		stsClient, roleARN, "external-secrets-provider-aws", tokenFetcher(tok)))
}

// esoClient is a Secrets Manager client authenticated as ESO is.
func esoClient(t testing.TB, f *awsfake.Fake) *secretsmanager.SecretsManager {
	t.Helper()
	return secretsmanager.New(newSession(t, f, webIdentityCreds(t, f, token(t, serviceAccountKey(t), claims()))))
}

// staticClient is a Secrets Manager client signing with a long-term key of
// the role.
func staticClient(t testing.TB, f *awsfake.Fake, cfgs ...*aws.Config) (*secretsmanager.SecretsManager, awsfake.AccessKey) {
	t.Helper()
	k := f.AddAccessKey(awsfake.AccessKey{Role: roleARN})
	return secretsmanager.New(newSession(t, f, credentials.NewStaticCredentials(k.ID, k.Secret, ""), cfgs...)), k
}

// wantAWSError checks an SDK error's code, HTTP status and (if not empty)
// message.
func wantAWSError(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) {
		t.Fatalf("error %v (%T), want an AWS request failure %s", err, err, code)
	}
	if rf.Code() != code || rf.StatusCode() != status || (msg != "" && rf.Message() != msg) {
		t.Fatalf("got %s (HTTP %d) %q\nwant %s (HTTP %d) %q", rf.Code(), rf.StatusCode(), rf.Message(), code, status, msg)
	}
	if rf.RequestID() == "" {
		t.Error("no request ID in the error")
	}
}
