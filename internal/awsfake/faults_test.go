package awsfake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/service/secretsmanager"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

func TestFaults(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/apps/a", "a")
	f.PutSecret("idp/apps/b", "b")
	sm, _ := staticClient(t, f)
	get := func(id string) error {
		_, err := sm.GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		return err
	}

	f.Inject(awsfake.Fault{Action: "GetSecretValue", Status: 400, Times: 1})
	wantAWSError(t, get("idp/apps/a"), "ThrottlingException", 400, "Rate exceeded")
	if err := get("idp/apps/a"); err != nil {
		t.Fatalf("after the fault's one use: %v", err)
	}

	f.Inject(awsfake.Fault{SecretID: "idp/apps/b", Status: 500})
	wantAWSError(t, get("idp/apps/b"), "InternalServiceError", 500, "")
	if err := get("idp/apps/a"); err != nil {
		t.Fatalf("another secret: %v", err)
	}
	f.ClearFaults()

	f.Inject(awsfake.Fault{Service: "sts", Code: "IDPCommunicationError", Times: 1})
	_, err := webIdentityCreds(t, f, token(t, serviceAccountKey(t), claims())).Get()
	if err == nil || !strings.Contains(err.Error(), "IDPCommunicationError") {
		t.Errorf("STS fault: %v", err)
	}
}

// TestFaultsRetried: the SDK recognizes the fake's throttling and 5xx as
// retryable, so a transient fault is invisible to a client with retries.
func TestFaultsRetried(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/apps/a", "a")
	sm, _ := staticClient(t, f, request.WithRetryer(aws.NewConfig(), fastRetries))
	f.Inject(awsfake.Fault{Status: 400, Times: 1})
	f.Inject(awsfake.Fault{Status: 503, Times: 1})
	if _, err := sm.GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/a")}); err != nil {
		t.Fatal(err)
	}
	if n := f.Requests()["secretsmanager.GetSecretValue"]; n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestFaultDelay(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/apps/a", "a")
	sm, _ := staticClient(t, f)
	f.Inject(awsfake.Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sm.GetSecretValueWithContext(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/a")})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("err %v after %v, want a timeout", err, time.Since(start))
	}
}

func TestRateLimit(t *testing.T) {
	f, _ := start(t)
	f.PutSecret("idp/apps/a", "a")
	sm, _ := staticClient(t, f)
	f.SetRateLimit("secretsmanager", 2, time.Hour)
	for i := range 3 {
		_, err := sm.GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/a")})
		if i < 2 && err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			wantAWSError(t, err, "ThrottlingException", 400, "Rate exceeded")
		}
	}
	f.SetRateLimit("secretsmanager", 0, 0)
	if _, err := sm.GetSecretValue(&secretsmanager.GetSecretValueInput{SecretId: aws.String("idp/apps/a")}); err != nil {
		t.Fatal(err)
	}
}
