package awsfake

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// STS speaks the AWS query protocol: form-encoded parameters (POST body or
// URL query) with Action and Version=2011-06-15, answers as XML in the
// namespace below.
const (
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	stsVersion   = "2011-06-15"
)

// stsUnimplemented are real STS actions the fake does not serve.
var stsUnimplemented = map[string]bool{
	"AssumeRole": true, "AssumeRoleWithSAML": true, "AssumeRoot": true,
	"DecodeAuthorizationMessage": true, "GetAccessKeyInfo": true,
	"GetFederationToken": true, "GetSessionToken": true,
}

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func (f *Fake) serveSTS(rq *request) {
	switch {
	case rq.op == "":
		rq.fail(&apiError{http.StatusBadRequest, "MissingAction", "Missing Action"})
	case rq.form.Get("Version") != stsVersion:
		rq.fail(&apiError{http.StatusBadRequest, "InvalidAction", "Could not find operation " + rq.op + " for version " + rq.form.Get("Version")})
	case rq.op == "AssumeRoleWithWebIdentity":
		f.assumeRoleWithWebIdentity(rq)
	case rq.op == "GetCallerIdentity":
		f.getCallerIdentity(rq)
	case stsUnimplemented[rq.op]:
		rq.fail(&apiError{http.StatusNotImplemented, "InternalFailure", "awsfake does not implement sts:" + rq.op})
	default:
		rq.fail(&apiError{http.StatusBadRequest, "InvalidAction", "Could not find operation " + rq.op + " for version " + stsVersion})
	}
}

type assumeRoleWithWebIdentityResponse struct {
	XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	XMLNS   string   `xml:"xmlns,attr"`
	Result  struct {
		SubjectFromWebIdentityToken string
		Audience                    string
		AssumedRoleUser             struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string
		}
		Credentials struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
			Expiration      string
		}
		Provider string
	} `xml:"AssumeRoleWithWebIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

// assumeRoleWithWebIdentity is unsigned, as AWS allows: the token is the
// authentication. Checks run in STS's order: parameters, the token, the
// OIDC provider's audience, then the role's trust policy (its subjects).
func (f *Fake) assumeRoleWithWebIdentity(rq *request) {
	roleARN, sessionName, token := rq.form.Get("RoleArn"), rq.form.Get("RoleSessionName"), rq.form.Get("WebIdentityToken")
	if err := validateAssumeParams(roleARN, sessionName, token); err != nil {
		rq.fail(err)
		return
	}
	claims, err := f.verifyToken(token)
	if err != nil {
		rq.fail(err)
		return
	}
	f.mu.RLock()
	role := f.roles[roleARN]
	f.mu.RUnlock()
	denied := &apiError{http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
	if role == nil {
		rq.fail(denied) // AWS does not reveal whether the role exists
		return
	}
	aud := firstCommon(claims.Audience, role.audiences())
	if aud == "" {
		rq.fail(errInvalidIdentityToken("Incorrect token audience"))
		return
	}
	if !slices.Contains(role.Subjects, claims.Subject) {
		rq.fail(denied)
		return
	}
	d, err := sessionDuration(rq.form.Get("DurationSeconds"), role)
	if err != nil {
		rq.fail(err)
		return
	}
	c := f.issueSession(role, sessionName, claims.Subject, f.now().Add(d))
	var out assumeRoleWithWebIdentityResponse
	out.XMLNS, out.RequestID = stsNamespace, rq.id
	r := &out.Result
	r.SubjectFromWebIdentityToken, r.Audience, r.Provider = claims.Subject, aud, claims.Issuer
	r.AssumedRoleUser.AssumedRoleID, r.AssumedRoleUser.Arn = c.userID, c.principal
	r.Credentials.AccessKeyID, r.Credentials.SecretAccessKey, r.Credentials.SessionToken = c.accessKey, c.secret, c.token
	r.Credentials.Expiration = c.expires.UTC().Format(time.RFC3339)
	writeXML(rq.w, http.StatusOK, rq.id, out)
}

func validateAssumeParams(roleARN, sessionName, token string) *apiError {
	for _, p := range []struct{ name, v string }{{"roleArn", roleARN}, {"roleSessionName", sessionName}, {"webIdentityToken", token}} {
		if p.v == "" {
			return &apiError{http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value null at '" + p.name + "' failed to satisfy constraint: Member must not be null"}
		}
	}
	if !sessionNameRE.MatchString(sessionName) {
		return &apiError{http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value '" + sessionName + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"}
	}
	return nil
}

// sessionDuration is DurationSeconds (900 s up to the role's maximum),
// one hour by default.
func sessionDuration(param string, role *Role) (time.Duration, *apiError) {
	if param == "" {
		return min(time.Hour, role.maxSession()), nil
	}
	n, err := strconv.Atoi(param)
	if err != nil || n < 900 {
		return 0, &apiError{http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value '" + param + "' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"}
	}
	d := time.Duration(n) * time.Second
	if d > role.maxSession() {
		return 0, &apiError{http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."}
	}
	return d, nil
}

func firstCommon(have, want []string) string {
	for _, a := range have {
		if slices.Contains(want, a) {
			return a
		}
	}
	return ""
}

// getCallerIdentity is signed; it tells a test which identity a set of
// credentials carries.
func (f *Fake) getCallerIdentity(rq *request) {
	c, err := f.authenticate(rq.r, rq.body, serviceSTS)
	if err != nil {
		rq.fail(err)
		return
	}
	out := struct {
		XMLName   xml.Name `xml:"GetCallerIdentityResponse"`
		XMLNS     string   `xml:"xmlns,attr"`
		Arn       string   `xml:"GetCallerIdentityResult>Arn"`
		UserID    string   `xml:"GetCallerIdentityResult>UserId"`
		Account   string   `xml:"GetCallerIdentityResult>Account"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}{XMLNS: stsNamespace, Arn: c.principal, UserID: c.userID, Account: f.account, RequestID: rq.id}
	writeXML(rq.w, http.StatusOK, rq.id, out)
}
