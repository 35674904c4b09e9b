package awsfake

import (
	"encoding/hex"
	"net/http"
	"testing"
)

// TestSigV4DocumentedExample recomputes the worked example of AWS's
// Signature Version 4 documentation (IAM ListUsers, 2015-08-30), so the
// verifier is checked against AWS's own numbers, not only against an SDK.
func TestSigV4DocumentedExample(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Date", "20150830T123600Z")
	signed := []string{"content-type", "host", "x-amz-date"}

	creq := canonicalRequest(req, signed, nil)
	if got, want := hexSHA256([]byte(creq)), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"; got != want {
		t.Fatalf("canonical request hash %s, want %s\n%s", got, want, creq)
	}
	key := signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")
	if got, want := hex.EncodeToString(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"; got != want {
		t.Fatalf("signing key %s, want %s", got, want)
	}
	toSign := sigAlgorithm + "\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n" + hexSHA256([]byte(creq))
	if got, want := hex.EncodeToString(hmacSHA256(key, toSign)), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}
