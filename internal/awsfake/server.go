// Package awsfake is an in-memory fake of the two AWS APIs the External
// Secrets Operator calls for the platform's ClusterSecretStore (provider
// aws, service SecretsManager, auth.jwt.serviceAccountRef): STS
// AssumeRoleWithWebIdentity, which trades a Kubernetes service-account token
// for temporary credentials of the role named by the service account's
// eks.amazonaws.com/role-arn annotation, and Secrets Manager GetSecretValue
// (and DescribeSecret for metadataPolicy: Fetch), signed with those
// credentials.
//
// It follows the documented wire protocols, so the vendor's SDK and ESO run
// against it unchanged: Secrets Manager's JSON 1.1 protocol (POST /,
// X-Amz-Target: secretsmanager.<Operation>) and STS's query protocol, both on
// one endpoint; Signature Version 4 verified for real against the keys the
// fake issued, with AWS's error codes, statuses and messages; a per-role
// trust policy (token audience and subject) and permission policy (secret
// name prefixes, as in terraform/modules/iam).
//
// It also injects failures (Inject), throttles (SetRateLimit), counts
// requests per operation (Requests) and can end sessions early
// (ExpireSessions). Everything lives in one *Fake: there is no package-level
// state and every method is safe for concurrent use.
package awsfake

import (
	"crypto"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	serviceSM  = "secretsmanager"
	serviceSTS = "sts"

	// maxBody bounds a request body: Secrets Manager values are at most
	// 64 KiB, and the JSON around them is small.
	maxBody = 1 << 20
)

// Options configures a Fake. The zero value is usable: region us-east-2
// (the platform's), account 123456789012, the wall clock, and web identity
// tokens whose signature is not checked.
type Options struct {
	// Region is the only region the credential scope may name.
	Region string
	// AccountID appears in ARNs.
	AccountID string
	// Now is the clock for signatures, sessions and timestamps. Nil means
	// time.Now.
	Now func() time.Time
	// TokenKeys verify web identity token signatures: the Kubernetes API
	// server's service-account public keys (see ParsePublicKeys). Empty
	// means signatures are NOT verified, only the claims.
	TokenKeys []crypto.PublicKey
	// Issuer, when set, is the one OIDC provider the account has: tokens
	// with another "iss" are rejected.
	Issuer string
}

// Fake is an http.Handler serving Secrets Manager and STS on one endpoint.
type Fake struct {
	opts            Options
	region, account string

	mu      sync.RWMutex // guards the AWS state below
	roles   map[string]*Role
	keys    map[string]*credential // by access key ID
	secrets map[string]*secret     // by name
	seq     uint64                 // feeds version IDs and ARN suffixes
	url     string

	reqMu     sync.Mutex // guards the request bookkeeping below
	reqSeq    uint64
	counts    map[string]int
	total     int
	unmatched []string
	faults    []*faultState
	limits    map[string]*rateLimit
}

// New returns a fake with no roles, keys or secrets.
func New(opts Options) *Fake {
	f := &Fake{
		opts: opts, region: opts.Region, account: opts.AccountID,
		roles: map[string]*Role{}, keys: map[string]*credential{}, secrets: map[string]*secret{},
		counts: map[string]int{}, limits: map[string]*rateLimit{},
	}
	if f.region == "" {
		f.region = "us-east-2"
	}
	if f.account == "" {
		f.account = "123456789012"
	}
	return f
}

// NewServer starts a loopback httptest.Server serving a new fake. The caller
// closes the server.
func NewServer(opts Options) (*Fake, *httptest.Server) {
	f := New(opts)
	srv := httptest.NewServer(f)
	f.url = srv.URL
	return f, srv
}

// Start is NewServer for tests: the server is closed when tb finishes.
func Start(tb testing.TB, opts Options) *Fake {
	tb.Helper()
	f, srv := NewServer(opts)
	tb.Cleanup(srv.Close)
	return f
}

// URL is the endpoint of a fake started by NewServer or Start, for both
// AWS_SECRETSMANAGER_ENDPOINT and AWS_STS_ENDPOINT.
func (f *Fake) URL() string { return f.url }

// Region is the region clients must sign for (Options.Region or its default).
func (f *Fake) Region() string { return f.region }

// AccountID is the account in the fake's ARNs.
func (f *Fake) AccountID() string { return f.account }

func (f *Fake) now() time.Time {
	if f.opts.Now != nil {
		return f.opts.Now()
	}
	return time.Now()
}

// request carries one API call through the handlers.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	body    []byte
	form    url.Values // query-protocol parameters (STS)
	svc, op string
	id      string // x-amzn-RequestId
}

func (rq *request) fail(e *apiError) { writeError(rq.w, rq.svc, rq.id, e) }

// secretID is the SecretId member of a Secrets Manager call, for faults.
func (rq *request) secretID() string {
	if rq.svc != serviceSM {
		return ""
	}
	var in struct{ SecretId string }
	_ = json.Unmarshal(rq.body, &in)
	return in.SecretId
}

// ServeHTTP classifies the call by protocol, counts it, applies faults and
// the rate limit, then hands it to the service.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	rq := &request{w: w, r: r, body: body, id: f.requestID()}
	rq.classify()
	f.count(rq)
	if rq.svc == "" {
		rq.svc = serviceSM // neither protocol: answer as the JSON front end does
		rq.fail(&apiError{http.StatusBadRequest, "UnknownOperationException", ""})
		return
	}
	if !f.applyFault(rq) || !f.applyRateLimit(rq) {
		return
	}
	if rq.svc == serviceSM {
		f.serveSecretsManager(rq)
		return
	}
	f.serveSTS(rq)
}

// classify tells the protocols apart: JSON calls name their operation in
// X-Amz-Target, query calls send form parameters with an Action.
func (rq *request) classify() {
	if t := rq.r.Header.Get("X-Amz-Target"); t != "" {
		if op, ok := strings.CutPrefix(t, targetPrefix); ok {
			rq.svc, rq.op = serviceSM, op
		}
		return
	}
	form := rq.r.URL.Query()
	isForm := rq.r.Method == http.MethodPost &&
		strings.HasPrefix(rq.r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	if isForm {
		body, _ := url.ParseQuery(string(rq.body))
		for k, v := range body {
			form[k] = append(form[k], v...)
		}
	}
	if isForm || form.Has("Action") {
		rq.svc, rq.op, rq.form = serviceSTS, form.Get("Action"), form
	}
}

func (f *Fake) requestID() string {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	f.reqSeq++
	return uuidFrom("request", f.reqSeq)
}

// Unmatched is the Requests key under which calls of neither protocol, or
// without an operation, are counted.
const Unmatched = "unmatched"

func (f *Fake) count(rq *request) {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	f.total++
	if rq.svc == "" || rq.op == "" {
		f.counts[Unmatched]++
		f.unmatched = append(f.unmatched, rq.r.Method+" "+rq.r.URL.RequestURI())
		return
	}
	f.counts[rq.svc+"."+rq.op]++
}

// Requests returns how many calls arrived per operation, keyed
// "secretsmanager.GetSecretValue", "sts.AssumeRoleWithWebIdentity", …;
// calls answered by a fault, the rate limit or an auth error count too.
func (f *Fake) Requests() map[string]int {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	out := make(map[string]int, len(f.counts))
	for k, v := range f.counts {
		out[k] = v
	}
	return out
}

// TotalRequests returns the number of calls since the last reset.
func (f *Fake) TotalRequests() int {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	return f.total
}

// UnmatchedRequests lists "METHOD /request/uri" for every unmatched call.
func (f *Fake) UnmatchedRequests() []string {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	return append([]string(nil), f.unmatched...)
}

// ResetCounts zeroes the request counters (not faults or rate limits).
func (f *Fake) ResetCounts() {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	f.counts = map[string]int{}
	f.total = 0
	f.unmatched = nil
}
