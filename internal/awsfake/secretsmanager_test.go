package awsfake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/secretsmanager"
)

const notFound = "Secrets Manager can't find the specified secret."

// TestGetSecretValue covers the reads ESO makes for dataFrom.extract and
// data[].remoteRef (GetSecretValue with VersionStage AWSCURRENT, or
// VersionId for a "uuid/" version), through ESO's client and credentials.
func TestGetSecretValue(t *testing.T) {
	f, _ := start(t)
	v1 := f.PutSecret("idp/apps/hello-world", `{"API_KEY":"one"}`)
	v2 := f.PutSecret("idp/apps/hello-world", `{"API_KEY":"two"}`)
	f.PutSecretBinary("idp/apps/binary", []byte{0, 1, 2, 0xff})
	f.CreateSecret("idp/platform/backstage") // a container with no value yet
	f.PutSecret("idp/apps/leaving", "x")
	f.ScheduleSecretDeletion("idp/apps/leaving")
	f.PutSecret("other/secret", "not for ESO")
	sm := esoClient(t, f)

	for _, tc := range []struct {
		name                string
		in                  secretsmanager.GetSecretValueInput
		wantString, wantVer string
		wantBinary          []byte
		wantStages          []string
		code, msg           string
	}{
		{name: "current by name", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/hello-world"), VersionStage: aws.String("AWSCURRENT")},
			wantString: `{"API_KEY":"two"}`, wantVer: v2.VersionID, wantStages: []string{"AWSCURRENT"}},
		{name: "by full ARN", in: secretsmanager.GetSecretValueInput{SecretId: aws.String(v2.ARN)},
			wantString: `{"API_KEY":"two"}`, wantVer: v2.VersionID, wantStages: []string{"AWSCURRENT"}},
		{name: "by partial ARN", in: secretsmanager.GetSecretValueInput{SecretId: aws.String(v2.ARN[:len(v2.ARN)-7])},
			wantString: `{"API_KEY":"two"}`, wantVer: v2.VersionID, wantStages: []string{"AWSCURRENT"}},
		{name: "previous stage", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/hello-world"), VersionStage: aws.String("AWSPREVIOUS")},
			wantString: `{"API_KEY":"one"}`, wantVer: v1.VersionID, wantStages: []string{"AWSPREVIOUS"}},
		{name: "by version id", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/hello-world"), VersionId: aws.String(v1.VersionID)},
			wantString: `{"API_KEY":"one"}`, wantVer: v1.VersionID, wantStages: []string{"AWSPREVIOUS"}},
		{name: "binary", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/binary")},
			wantBinary: []byte{0, 1, 2, 0xff}, wantStages: []string{"AWSCURRENT"}},
		{name: "not found", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/missing"), VersionStage: aws.String("AWSCURRENT")},
			code: "ResourceNotFoundException", msg: notFound},
		{name: "no value yet", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/platform/backstage")},
			code: "ResourceNotFoundException", msg: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"},
		{name: "unknown version id", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/hello-world"), VersionId: aws.String("00000000-0000-4000-a000-000000000000")},
			code: "ResourceNotFoundException", msg: "Secrets Manager can't find the specified secret value for VersionId: 00000000-0000-4000-a000-000000000000"},
		{name: "marked for deletion", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/leaving")},
			code: "InvalidRequestException", msg: "You can't perform this operation on the secret because it was marked for deletion."},
		{name: "outside the role's prefix", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("other/secret")},
			code: "AccessDeniedException", msg: "User: arn:aws:sts::123456789012:assumed-role/idp-external-secrets/external-secrets-provider-aws is not authorized to perform: secretsmanager:GetSecretValue on resource: other/secret because no identity-based policy allows the secretsmanager:GetSecretValue action"},
		{name: "outside the prefix and missing", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("other/missing")},
			code: "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := sm.GetSecretValue(&tc.in)
			if tc.code != "" {
				wantAWSError(t, err, tc.code, 400, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantString != "" && aws.StringValue(out.SecretString) != tc.wantString {
				t.Errorf("SecretString %q, want %q", aws.StringValue(out.SecretString), tc.wantString)
			}
			if tc.wantBinary != nil && (string(out.SecretBinary) != string(tc.wantBinary) || out.SecretString != nil) {
				t.Errorf("SecretBinary %v SecretString %v, want %v only", out.SecretBinary, out.SecretString, tc.wantBinary)
			}
			if tc.wantVer != "" && aws.StringValue(out.VersionId) != tc.wantVer {
				t.Errorf("VersionId %s, want %s", aws.StringValue(out.VersionId), tc.wantVer)
			}
			if got := aws.StringValueSlice(out.VersionStages); strings.Join(got, ",") != strings.Join(tc.wantStages, ",") {
				t.Errorf("VersionStages %v, want %v", got, tc.wantStages)
			}
			if !strings.HasPrefix(aws.StringValue(out.ARN), "arn:aws:secretsmanager:us-east-2:123456789012:secret:"+aws.StringValue(out.Name)+"-") {
				t.Errorf("ARN %s for %s", aws.StringValue(out.ARN), aws.StringValue(out.Name))
			}
			if d := time.Since(aws.TimeValue(out.CreatedDate)); d < 0 || d > time.Minute {
				t.Errorf("CreatedDate %v", out.CreatedDate)
			}
		})
	}
	if n := f.Requests()["sts.AssumeRoleWithWebIdentity"]; n != 1 {
		t.Errorf("%d AssumeRoleWithWebIdentity calls, want 1 (the SDK caches the session)", n)
	}
}

// TestOtherOperations: the rest of the project's policy is served, and what
// it does not grant (ESO's find and push paths) is denied as AWS would.
func TestOtherOperations(t *testing.T) {
	f, _ := start(t)
	v := f.PutSecret("idp/apps/a", "1")
	f.PutSecret("idp/apps/a", "2")
	f.TagSecret("idp/apps/a", map[string]string{"team": "a"})
	sm := esoClient(t, f)

	d, err := sm.DescribeSecret(&secretsmanager.DescribeSecretInput{SecretId: aws.String("idp/apps/a")})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tags) != 1 || *d.Tags[0].Key != "team" || len(d.VersionIdsToStages) != 2 || *d.VersionIdsToStages[v.VersionID][0] != "AWSPREVIOUS" {
		t.Errorf("DescribeSecret %v", d)
	}
	l, err := sm.ListSecretVersionIds(&secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("idp/apps/a")})
	if err != nil || len(l.Versions) != 2 {
		t.Errorf("ListSecretVersionIds %v, %v", l, err)
	}
	if _, err := sm.GetResourcePolicy(&secretsmanager.GetResourcePolicyInput{SecretId: aws.String("idp/apps/a")}); err != nil {
		t.Error(err)
	}

	_, err = sm.ListSecrets(&secretsmanager.ListSecretsInput{})
	wantAWSError(t, err, "AccessDeniedException", 400, "User: arn:aws:sts::123456789012:assumed-role/idp-external-secrets/external-secrets-provider-aws is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action")
	_, err = sm.PutSecretValue(&secretsmanager.PutSecretValueInput{SecretId: aws.String("idp/apps/a"), SecretString: aws.String("3")})
	wantAWSError(t, err, "AccessDeniedException", 400, "")
	_, err = sm.DescribeSecret(&secretsmanager.DescribeSecretInput{SecretId: aws.String("idp/apps/missing")})
	wantAWSError(t, err, "ResourceNotFoundException", 400, notFound)
}

// TestConcurrentReadsAndWrites: readers and a writer share the fake (run
// with -race); every read sees some version whole.
func TestConcurrentReadsAndWrites(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/apps/a", "v0")
	sm, _ := staticClient(t, f)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			f.PutSecret("idp/apps/a", "v"+strings.Repeat("x", i))
		}
	}()
	for range 50 {
		out, err := sm.GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/a")})
		if err != nil || !strings.HasPrefix(aws.StringValue(out.SecretString), "v") {
			t.Fatalf("%v, %v", out, err)
		}
	}
	<-done
	if s, _ := f.Secret("idp/apps/a"); s.Versions != 51 {
		t.Errorf("%d versions, want 51", s.Versions)
	}
}
