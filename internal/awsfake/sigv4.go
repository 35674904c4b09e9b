package awsfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Signature Version 4, verified as AWS documents it ("Create a signed AWS API
// request", IAM user guide): the server rebuilds the canonical request from
// the headers the client says it signed, derives the signing key from the
// secret it issued, and compares signatures. Written against the documented
// algorithm rather than an SDK's signer because a signer decides itself which
// headers to sign, while a verifier must take the client's word for it; the
// tests prove it against aws-sdk-go's own signer.

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateFmt   = "20060102T150405Z"
	// maxSkew is how far the request time may be from the server's clock.
	maxSkew = 5 * time.Minute
)

// sigv4 is a parsed Authorization header.
type sigv4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

func (s *sigv4) scope() string {
	return s.date + "/" + s.region + "/" + s.service + "/aws4_request"
}

// authenticate checks the request's signature for svc and returns the
// credentials that signed it. The order of the checks is AWS's: a missing
// or malformed header, then the scope, then the clock, then the key, then
// the signature itself.
func (f *Fake) authenticate(r *http.Request, body []byte, svc string) (*credential, *apiError) {
	sig, err := parseAuthorization(r, svc)
	if err != nil {
		return nil, err
	}
	if sig.service != svc {
		return nil, authError(svc, authBadSignature, "Credential should be scoped to correct service: '"+svc+"'. ")
	}
	if sig.region != f.region {
		return nil, authError(svc, authBadSignature, "Credential should be scoped to a valid region. ")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if err := f.checkDate(svc, sig.date, amzDate); err != nil {
		return nil, err
	}
	cred, err := f.lookupCredential(svc, sig.accessKey, r.Header.Get("X-Amz-Security-Token"))
	if err != nil {
		return nil, err
	}
	creq := canonicalRequest(r, sig.signedHeaders, body)
	toSign := sigAlgorithm + "\n" + amzDate + "\n" + sig.scope() + "\n" + hexSHA256([]byte(creq))
	want := hex.EncodeToString(hmacSHA256(signingKey(cred.secret, sig.date, sig.region, sig.service), toSign))
	if !hmac.Equal([]byte(want), []byte(sig.signature)) {
		return nil, authError(svc, authBadSignature, "The request signature we calculated does not match the signature you provided. "+
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"+
			"The Canonical String for this request should have been\n'"+creq+"'\n\n"+
			"The String-to-Sign should have been\n'"+toSign+"'\n")
	}
	return cred, nil
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/
// SERVICE/aws4_request, SignedHeaders=a;b, Signature=HEX".
func parseAuthorization(r *http.Request, svc string) (*sigv4, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		msg := "Missing Authentication Token"
		if svc == serviceSTS {
			msg = "Request is missing Authentication Token"
		}
		return nil, authError(svc, authMissing, msg)
	}
	alg, rest, _ := strings.Cut(h, " ")
	if alg != sigAlgorithm {
		return nil, authError(svc, authIncomplete, "Unsupported AWS 'algorithm': '"+alg+"'")
	}
	params := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		params[k] = v
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if r.Header.Get("X-Amz-Date") == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, authError(svc, authIncomplete, strings.Join(missing, " ")+" Authorization="+h)
	}
	scope := strings.Split(params["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return nil, authError(svc, authIncomplete, "Credential should be scoped to a valid region. ")
	}
	return &sigv4{
		accessKey: scope[0], date: scope[1], region: scope[2], service: scope[3],
		signedHeaders: strings.Split(params["SignedHeaders"], ";"),
		signature:     params["Signature"],
	}, nil
}

// checkDate holds the request time to the scope's date and the server clock.
// (AWS also accepts a Date header; the SDKs send X-Amz-Date, and so must
// callers of the fake.)
func (f *Fake) checkDate(svc, scopeDate, amzDate string) *apiError {
	t, err := time.Parse(amzDateFmt, amzDate)
	if err != nil {
		return authError(svc, authIncomplete, "Date must be in ISO-8601 'basic format'. Got '"+amzDate+"'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	if scopeDate != amzDate[:8] {
		return authError(svc, authBadSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			scopeDate+"' != '"+amzDate[:8]+"', from '"+amzDate+"'.")
	}
	now := f.now().UTC()
	if t.Before(now.Add(-maxSkew)) {
		return authError(svc, authBadSignature, "Signature expired: "+amzDate+" is now earlier than "+
			now.Add(-maxSkew).Format(amzDateFmt)+" ("+now.Format(amzDateFmt)+" - 5 min.)")
	}
	if t.After(now.Add(maxSkew)) {
		return authError(svc, authBadSignature, "Signature not yet current: "+amzDate+" is still later than "+
			now.Add(maxSkew).Format(amzDateFmt)+" ("+now.Format(amzDateFmt)+" + 5 min.)")
	}
	return nil
}

// canonicalRequest is step 1 of the algorithm: method, URI, query, the
// signed headers with their values, the signed header list and the payload
// hash, one per line.
func canonicalRequest(r *http.Request, signed []string, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL) + "\n")
	b.WriteString(canonicalQuery(r.URL.RawQuery) + "\n")
	for _, name := range signed {
		b.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	b.WriteString("\n" + strings.Join(signed, ";") + "\n")
	b.WriteString(hexSHA256(body))
	return b.String()
}

// canonicalURI encodes the (already escaped) path once more: every service
// but S3 signs the path URI-encoded twice.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return uriEncode(p, false)
}

// canonicalQuery sorts the parameters by name, then value, each
// URI-encoded as RFC 3986 says.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var pairs []string
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// headerValue is a header's canonical value: all values joined by commas,
// each trimmed with inner runs of spaces collapsed. Go moves Host out of the
// header map, and may do so with Content-Length.
func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if r.Header.Get("Content-Length") == "" {
			return strconv.FormatInt(r.ContentLength, 10)
		}
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// uriEncode escapes everything but RFC 3986's unreserved characters (and
// '/' unless encodeSlash).
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
