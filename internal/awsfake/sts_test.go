package awsfake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/service/secretsmanager"
	"github.com/aws/aws-sdk-go/service/sts"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

// TestWebIdentityThenSecretsManager is ESO's whole jwt-auth path: exchange
// the service-account token for session credentials, then read with them.
func TestWebIdentityThenSecretsManager(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/observability/grafana-cloud", `{"prometheusUsername":"u","password":"p"}`)
	creds := webIdentityCreds(t, f, token(t, serviceAccountKey(t), claims()))
	v, err := creds.Get()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.AccessKeyID, "ASIA") || v.SessionToken == "" || v.SecretAccessKey == "" {
		t.Errorf("credentials %+v", v)
	}
	if exp, _ := creds.ExpiresAt(); time.Until(exp) < 55*time.Minute || time.Until(exp) > time.Hour {
		t.Errorf("expires at %v, want in an hour", exp)
	}
	sess := f.Sessions()
	if len(sess) != 1 || sess[0].Role != roleARN || sess[0].Subject != esoSub || sess[0].SessionName != "external-secrets-provider-aws" {
		t.Errorf("sessions %+v", sess)
	}

	out, err := secretsmanager.New(newSession(t, f, creds)).GetSecretValue(&secretsmanager.GetSecretValueInput{
		SecretId: aws.String("idp/observability/grafana-cloud"), VersionStage: aws.String("AWSCURRENT"),
	})
	if err != nil || !strings.Contains(aws.StringValue(out.SecretString), `"password":"p"`) {
		t.Fatalf("GetSecretValue: %v, %v", out, err)
	}

	id, err := sts.New(newSession(t, f, creds)).GetCallerIdentity(&sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:sts::123456789012:assumed-role/idp-external-secrets/external-secrets-provider-aws" ||
		*id.Account != "123456789012" || !strings.HasPrefix(*id.UserId, "AROA") {
		t.Errorf("caller identity %v", id)
	}
}

// TestAssumeRoleWithWebIdentityRejects: the trust policy's and the OIDC
// provider's refusals, with STS's codes and statuses.
func TestAssumeRoleWithWebIdentityRejects(t *testing.T) {
	f, _ := start(t)
	with := func(k string, v any) map[string]any {
		c := claims()
		c[k] = v
		return c
	}
	key := serviceAccountKey(t)
	for _, tc := range []struct {
		name, role, tok string
		code            string
		status          int
		msg             string
	}{
		{"another service account", roleARN, token(t, key, with("sub", "system:serviceaccount:default:default")),
			"AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"unknown role", "arn:aws:iam::123456789012:role/nope", token(t, key, claims()),
			"AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"wrong audience", roleARN, token(t, key, with("aud", []string{"https://kubernetes.default.svc"})),
			"InvalidIdentityToken", 400, "Incorrect token audience"},
		{"audience as a string", roleARN, token(t, key, with("aud", "sts.amazonaws.com")), "", 0, ""},
		{"expired", roleARN, token(t, key, with("exp", time.Now().Add(-time.Minute).Unix())),
			"ExpiredTokenException", 400, ""},
		{"other issuer", roleARN, token(t, key, with("iss", "https://evil.example")),
			"InvalidIdentityToken", 400, "No OpenIDConnect provider found in your account for https://evil.example"},
		{"forged signature", roleARN, token(t, ecKey(t), claims()), "InvalidIdentityToken", 400, ""},
		{"not a JWT", roleARN, "opaque-token", "InvalidIdentityToken", 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sts.New(newSession(t, f, credentials.AnonymousCredentials)).AssumeRoleWithWebIdentity(&sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(tc.role), RoleSessionName: aws.String("external-secrets-provider-aws"), WebIdentityToken: aws.String(tc.tok),
			})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantAWSError(t, err, tc.code, tc.status, tc.msg)
		})
	}
}

// TestTokenKeys: ES256 tokens verify against an ECDSA key, and a fake with
// no keys checks claims only.
func TestTokenKeys(t *testing.T) {
	ec := ecKey(t)
	for _, tc := range []struct {
		name string
		keys []any
		tok  string
		ok   bool
	}{
		{"ES256 with its key", []any{ec.Public()}, token(t, ec, claims()), true},
		{"RS256 against an EC key", []any{ec.Public()}, token(t, serviceAccountKey(t), claims()), false},
		{"no keys: signature unchecked", nil, token(t, ecKey(t), claims()), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := awsfake.Options{}
			for _, k := range tc.keys {
				opts.TokenKeys = append(opts.TokenKeys, k)
			}
			f := awsfake.Start(t, opts)
			_ = f.AddRole(awsfake.Role{ARN: roleARN, Subjects: []string{esoSub}})
			_, err := webIdentityCreds(t, f, tc.tok).Get()
			if (err == nil) != tc.ok {
				t.Errorf("err %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestSessionExpiry: expired session credentials get ExpiredTokenException,
// and assuming the role again recovers, as ESO's next reconcile does.
func TestSessionExpiry(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/apps/a", "v")
	creds := webIdentityCreds(t, f, token(t, serviceAccountKey(t), claims()))
	sm := secretsmanager.New(newSession(t, f, creds))
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/a")}
	if _, err := sm.GetSecretValue(in); err != nil {
		t.Fatal(err)
	}
	f.ExpireSessions()
	_, err := sm.GetSecretValue(in)
	wantAWSError(t, err, "ExpiredTokenException", 400, "The security token included in the request is expired")
	creds.Expire()
	if _, err := sm.GetSecretValue(in); err != nil {
		t.Fatal(err)
	}
	if n := f.Requests()["sts.AssumeRoleWithWebIdentity"]; n != 2 {
		t.Errorf("%d exchanges, want 2", n)
	}
}

func TestSessionDuration(t *testing.T) {
	f, _ := start(t)
	call := func(d int64) error {
		_, err := sts.New(newSession(t, f, credentials.AnonymousCredentials)).AssumeRoleWithWebIdentity(&sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int64(d),
			WebIdentityToken: aws.String(token(t, serviceAccountKey(t), claims())),
		})
		return err
	}
	if err := call(900); err != nil {
		t.Error(err)
	}
	wantAWSError(t, call(7200), "ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
}
