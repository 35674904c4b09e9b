package awsfake

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Web identity tokens are the Kubernetes service-account tokens ESO requests
// through the TokenRequest API: JWTs signed by the API server's
// --service-account-signing-key-file. STS would fetch the issuer's keys from
// its OIDC discovery document; the fake is given them instead
// (Options.TokenKeys, e.g. the API server's --service-account-key-file).
// With no keys configured it checks the claims but NOT the signature, which
// is only acceptable for tests that do not exercise token forgery.

type tokenClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  audience `json:"aud"`
	Expiry    *float64 `json:"exp"`
	NotBefore *float64 `json:"nbf"`
}

// audience is the "aud" claim, a string or an array of strings (RFC 7519).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

func errInvalidIdentityToken(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidIdentityToken", msg}
}

// verifyToken checks a web identity token as STS does for an OIDC provider:
// structure, issuer, signature, then lifetime. Audience and subject are the
// role's business (assumeRoleWithWebIdentity).
func (f *Fake) verifyToken(token string) (*tokenClaims, *apiError) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errInvalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	var claims tokenClaims
	if decodeSegment(parts[0], &hdr) != nil || decodeSegment(parts[1], &claims) != nil {
		return nil, errInvalidIdentityToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	if f.opts.Issuer != "" && claims.Issuer != f.opts.Issuer {
		return nil, errInvalidIdentityToken("No OpenIDConnect provider found in your account for " + claims.Issuer)
	}
	if len(f.opts.TokenKeys) > 0 && !f.validSignature(hdr.Alg, parts) {
		return nil, errInvalidIdentityToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
	}
	now := f.now()
	if claims.Expiry == nil || !now.Before(unixTime(*claims.Expiry)) {
		exp := "(none)"
		if claims.Expiry != nil {
			exp = strconv.FormatInt(int64(*claims.Expiry), 10)
		}
		return nil, &apiError{http.StatusBadRequest, "ExpiredTokenException",
			"Token expired: current date/time " + strconv.FormatInt(now.Unix(), 10) + " must be before the expiration date/time " + exp}
	}
	if claims.NotBefore != nil && now.Add(maxSkew).Before(unixTime(*claims.NotBefore)) {
		return nil, errInvalidIdentityToken("The web identity token is not yet valid (nbf)")
	}
	return &claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func unixTime(sec float64) time.Time { return time.Unix(int64(sec), 0) }

// validSignature reports whether any configured key verifies the token with
// the algorithm its header names (RS*, PS* or ES* with SHA-256/384/512).
func (f *Fake) validSignature(alg string, parts []string) bool {
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(alg) != 5 {
		return false
	}
	var h crypto.Hash
	switch alg[2:] {
	case "256":
		h = crypto.SHA256
	case "384":
		h = crypto.SHA384
	case "512":
		h = crypto.SHA512
	default:
		return false
	}
	d := h.New()
	d.Write([]byte(parts[0] + "." + parts[1]))
	digest := d.Sum(nil)
	for _, k := range f.opts.TokenKeys {
		if verifyWith(k, alg[:2], h, digest, sig) {
			return true
		}
	}
	return false
}

func verifyWith(key crypto.PublicKey, family string, h crypto.Hash, digest, sig []byte) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		switch family {
		case "RS":
			return rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
		case "PS":
			return rsa.VerifyPSS(k, h, digest, sig, nil) == nil
		}
	case *ecdsa.PublicKey:
		// JWS carries r and s as two fixed-size big-endian halves (RFC 7518 §3.4).
		if family != "ES" || len(sig)%2 != 0 {
			return false
		}
		n := len(sig) / 2
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

// ParsePublicKeys reads every public key of a PEM file: PKIX "PUBLIC KEY"
// blocks (what kube-apiserver's --service-account-key-file usually holds),
// PKCS #1 "RSA PUBLIC KEY" blocks, and certificates.
func ParsePublicKeys(data []byte) ([]crypto.PublicKey, error) {
	var keys []crypto.PublicKey
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		k, err := parsePEMKey(b)
		if err != nil {
			return nil, err
		}
		if k != nil {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("awsfake: no public key in PEM data")
	}
	return keys, nil
}

func parsePEMKey(b *pem.Block) (crypto.PublicKey, error) {
	switch b.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(b.Bytes)
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		return c.PublicKey, nil
	}
	if strings.Contains(b.Type, "PRIVATE KEY") {
		return nil, fmt.Errorf("awsfake: PEM block %q: want public keys, not private ones", b.Type)
	}
	return nil, nil
}
