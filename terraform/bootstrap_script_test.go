package terraform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A stub `aws` CLI: it records every call and keeps the bucket and the table
// as files, so the script can be run twice against the same "account".
const stubAWS = `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"$STUB_STATE/calls"
args=" $* "
case "$args" in
  *" sts get-caller-identity "*)
    if [[ -n ${STUB_NO_CREDENTIALS:-} ]]; then
      echo "Unable to locate credentials. You can configure credentials by running \"aws configure\"." >&2
      exit 253
    fi
    echo 111122223333 ;;
  *" s3api head-bucket "*)
    if [[ -n ${STUB_FOREIGN_BUCKET:-} ]]; then
      echo "An error occurred (403) when calling the HeadBucket operation: Forbidden" >&2
      exit 254
    fi
    if [[ -f $STUB_STATE/bucket ]]; then exit 0; fi
    echo "An error occurred (404) when calling the HeadBucket operation: Not Found" >&2
    exit 254 ;;
  *" s3api create-bucket "*)
    if [[ -f $STUB_STATE/bucket ]]; then
      echo "An error occurred (BucketAlreadyOwnedByYou) when calling the CreateBucket operation" >&2
      exit 254
    fi
    touch "$STUB_STATE/bucket"
    echo '{"Location": "/bucket"}' ;;
  *" dynamodb describe-table "*)
    if [[ -f $STUB_STATE/table ]]; then echo '{"Table": {}}'; exit 0; fi
    echo "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: Requested resource not found" >&2
    exit 254 ;;
  *" dynamodb create-table "*)
    if [[ -f $STUB_STATE/table ]]; then
      echo "An error occurred (ResourceInUseException) when calling the CreateTable operation" >&2
      exit 254
    fi
    touch "$STUB_STATE/table"
    echo '{}' ;;
  *) : ;;
esac
`

type scriptRun struct {
	out   string
	err   error
	calls []string
}

func runBootstrap(t *testing.T, state string, env []string, args ...string) scriptRun {
	t.Helper()
	bin := filepath.Join(state, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(stubAWS), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(filepath.Join(state, "calls"))
	script, err := filepath.Abs(filepath.Join("..", "hack", "bootstrap-tf-backend.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Env = append([]string{
		"PATH=" + bin + ":/usr/bin:/bin",
		"HOME=" + state,
		"STUB_STATE=" + state,
	}, env...)
	out, err := cmd.CombinedOutput()
	raw, _ := os.ReadFile(filepath.Join(state, "calls"))
	var calls []string
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if l != "" {
			calls = append(calls, l)
		}
	}
	return scriptRun{out: string(out), err: err, calls: calls}
}

func (r scriptRun) called(sub string) int {
	n := 0
	for _, c := range r.calls {
		if strings.Contains(c, sub) {
			n++
		}
	}
	return n
}

func TestBootstrapScript(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not available")
	}

	t.Run("first run creates, second run is a no-op", func(t *testing.T) {
		state := t.TempDir()
		first := runBootstrap(t, state, nil, "--bucket", "idp-tfstate-test", "--table", "locks")
		if first.err != nil {
			t.Fatalf("first run failed: %v\n%s", first.err, first.out)
		}
		for _, want := range []string{
			"s3api create-bucket --bucket idp-tfstate-test --create-bucket-configuration LocationConstraint=us-east-2",
			"s3api put-bucket-versioning --bucket idp-tfstate-test --versioning-configuration Status=Enabled",
			"s3api put-public-access-block",
			"s3api put-bucket-encryption",
			"s3api put-bucket-policy",
			"dynamodb create-table --table-name locks",
			"dynamodb update-continuous-backups --table-name locks --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
		} {
			if first.called(want) != 1 {
				t.Errorf("first run: want exactly one call %q; calls:\n%s", want, strings.Join(first.calls, "\n"))
			}
		}
		for _, c := range first.calls {
			if !strings.HasPrefix(c, "--region us-east-2 ") {
				t.Errorf("call without an explicit region: %q", c)
			}
		}
		if !strings.Contains(first.out, `bucket         = "idp-tfstate-test"`) || !strings.Contains(first.out, `dynamodb_table = "locks"`) {
			t.Errorf("no backend.hcl lines in the output:\n%s", first.out)
		}

		second := runBootstrap(t, state, nil, "--bucket", "idp-tfstate-test", "--table", "locks")
		if second.err != nil {
			t.Fatalf("second run failed: %v\n%s", second.err, second.out)
		}
		if n := second.called("create-"); n != 0 {
			t.Errorf("second run created something (%d create calls):\n%s", n, strings.Join(second.calls, "\n"))
		}
		if second.called("put-bucket-versioning") != 1 || second.called("update-continuous-backups") != 1 {
			t.Errorf("second run must still enforce the settings:\n%s", strings.Join(second.calls, "\n"))
		}
	})

	t.Run("policy denies insecure transport", func(t *testing.T) {
		r := runBootstrap(t, t.TempDir(), nil, "--bucket", "b-tls-test")
		if r.err != nil {
			t.Fatalf("run failed: %v\n%s", r.err, r.out)
		}
		found := false
		for _, c := range r.calls {
			if strings.Contains(c, "put-bucket-policy") {
				found = strings.Contains(c, `"aws:SecureTransport":"false"`) && strings.Contains(c, `"Effect":"Deny"`) &&
					strings.Contains(c, `arn:aws:s3:::b-tls-test/*`)
			}
		}
		if !found {
			t.Errorf("no TLS-only bucket policy:\n%s", strings.Join(r.calls, "\n"))
		}
	})

	t.Run("default bucket name carries the account", func(t *testing.T) {
		r := runBootstrap(t, t.TempDir(), []string{"PROJECT=acme"})
		if r.err != nil {
			t.Fatalf("run failed: %v\n%s", r.err, r.out)
		}
		if r.called("create-bucket --bucket acme-tfstate-111122223333") != 1 {
			t.Errorf("want bucket acme-tfstate-111122223333:\n%s", strings.Join(r.calls, "\n"))
		}
	})

	t.Run("us-east-1 takes no location constraint", func(t *testing.T) {
		r := runBootstrap(t, t.TempDir(), nil, "--region", "us-east-1", "--bucket", "b-use1")
		if r.err != nil {
			t.Fatalf("run failed: %v\n%s", r.err, r.out)
		}
		if r.called("create-bucket") != 1 || r.called("LocationConstraint") != 0 {
			t.Errorf("us-east-1 create-bucket must not pass a LocationConstraint:\n%s", strings.Join(r.calls, "\n"))
		}
	})

	t.Run("customer managed key is used when given", func(t *testing.T) {
		r := runBootstrap(t, t.TempDir(), []string{"TF_STATE_KMS_KEY_ID=alias/tfstate"}, "--bucket", "b-kms")
		if r.err != nil {
			t.Fatalf("run failed: %v\n%s", r.err, r.out)
		}
		if r.called(`"KMSMasterKeyID":"alias/tfstate"`) != 1 {
			t.Errorf("the KMS key was not passed:\n%s", strings.Join(r.calls, "\n"))
		}
	})

	errorCases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no credentials", []string{"STUB_NO_CREDENTIALS=1"}, nil, "no usable AWS credentials"},
		{"bucket of another account", []string{"STUB_FOREIGN_BUCKET=1"}, []string{"--bucket", "taken"}, "cannot use bucket taken"},
		{"invalid region", nil, []string{"--region", "mars-1"}, "not an AWS region"},
		{"invalid bucket name", nil, []string{"--bucket", "Not_A_Bucket"}, "not a valid S3 bucket name"},
		{"unknown argument", nil, []string{"--frobnicate"}, "unknown argument"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			r := runBootstrap(t, state, tc.env, tc.args...)
			if r.err == nil {
				t.Fatalf("want a failure, got success:\n%s", r.out)
			}
			if !strings.Contains(r.out, tc.want) {
				t.Errorf("want %q in the output, got:\n%s", tc.want, r.out)
			}
			if r.called("create-") != 0 || r.called("put-") != 0 {
				t.Errorf("it changed something before failing:\n%s", strings.Join(r.calls, "\n"))
			}
		})
	}

	t.Run("no AWS CLI", func(t *testing.T) {
		script, _ := filepath.Abs(filepath.Join("..", "hack", "bootstrap-tf-backend.sh"))
		bash, _ := exec.LookPath("bash")
		cmd := exec.Command(bash, script)
		cmd.Env = []string{"PATH=" + t.TempDir(), "HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "is not on PATH") {
			t.Errorf("want a clear error without aws, got %v:\n%s", err, out)
		}
	})
}
