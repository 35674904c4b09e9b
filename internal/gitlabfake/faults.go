package gitlabfake

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests fail or slow down. A request matches when
// every non-empty selector matches; the first matching fault with uses left
// applies, and only that one.
type Fault struct {
	// Method, e.g. "GET"; empty matches any.
	Method string
	// Path is a prefix of the decoded request path, e.g. "/api/v4/groups/";
	// empty matches any.
	Path string
	// Endpoint is an exact template as reported by Requests, e.g.
	// "GET /projects/:id/repository/files/:file_path"; empty matches any.
	Endpoint string
	// Query holds query parameters the request must carry, e.g.
	// {"page": "3"}; empty matches any.
	Query map[string]string

	// Status is the status to answer with (401, 403, 404, 429, 500, 502,
	// 503, ...). Zero means "no error": only Delay applies and the request
	// is then served normally.
	Status int
	// RetryAfter, when positive, adds a Retry-After header in whole seconds.
	RetryAfter time.Duration
	// Header adds further response headers, e.g. RateLimit-Reset.
	Header http.Header
	// Body replaces the default body, GitLab's usual one for Status.
	Body string
	// Delay holds the response back. The wait ends early when the client
	// gives up (request context cancelled), so client timeouts work.
	Delay time.Duration
	// Times is how many requests the fault applies to; 0 means until
	// ClearFaults.
	Times int

	// With Status zero, a fault may instead corrupt the real answer, as a
	// proxy, a timeout or a bug between GitLab and its client would:
	// Truncate drops the last items of a JSON array and keeps the headers
	// (a short page whose totals stay honest), SetHeader replaces headers
	// (dishonest totals), DropHeader removes them (a keyset page without
	// its next link).
	Truncate   int
	SetHeader  http.Header
	DropHeader []string
}

func (f *Fault) rewrites() bool {
	return f.Truncate > 0 || len(f.SetHeader) > 0 || len(f.DropHeader) > 0
}

type faultState struct {
	Fault
	left int // remaining uses; -1 for unlimited
}

// Inject adds a fault after the ones already active.
func (f *Fake) Inject(fault Fault) {
	left := fault.Times
	if left <= 0 {
		left = -1
	}
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	f.faults = append(f.faults, &faultState{Fault: fault, left: left})
}

// ClearFaults removes every fault.
func (f *Fake) ClearFaults() {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	f.faults = nil
}

func (s *faultState) matches(r *http.Request, endpoint string) bool {
	return s.left != 0 &&
		(s.Method == "" || strings.EqualFold(s.Method, r.Method)) &&
		(s.Path == "" || strings.HasPrefix(r.URL.Path, s.Path)) &&
		(s.Endpoint == "" || s.Endpoint == endpoint) &&
		queryMatches(r, s.Query)
}

func queryMatches(r *http.Request, want map[string]string) bool {
	q := r.URL.Query()
	for k, v := range want {
		if q.Get(k) != v {
			return false
		}
	}
	return true
}

// applyFault answers the request if a fault says so and reports whether the
// request should proceed, and with which fault rewriting its answer.
func (f *Fake) applyFault(w http.ResponseWriter, r *http.Request, endpoint string) (bool, *Fault) {
	f.reqMu.Lock()
	var fault *Fault
	for _, s := range f.faults {
		if s.matches(r, endpoint) {
			if s.left > 0 {
				s.left--
			}
			cp := s.Fault
			fault = &cp
			break
		}
	}
	f.reqMu.Unlock()
	if fault == nil {
		return true, nil
	}

	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false, nil // the client is gone; nobody reads an answer
		}
	}
	if fault.Status == 0 {
		if fault.rewrites() {
			return true, fault
		}
		return true, nil
	}
	h := w.Header()
	for k, vs := range fault.Header {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	if fault.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(fault.RetryAfter.Seconds()))))
	}
	body, ctype := fault.Body, "application/json"
	if body == "" {
		body, ctype = defaultBody(fault.Status)
	} else if body[0] != '{' && body[0] != '[' {
		ctype = "text/plain; charset=utf-8"
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", ctype)
	}
	w.WriteHeader(fault.Status)
	_, _ = w.Write([]byte(body))
	return false, nil
}

// defaultBody is what GitLab (or the proxy in front of it) sends for status.
func defaultBody(status int) (body, contentType string) {
	switch status {
	case http.StatusTooManyRequests:
		return "Retry later\n", "text/plain; charset=utf-8" // Rack::Attack
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// These come from the load balancer, not from Rails.
		return "<html><body><h1>" + strconv.Itoa(status) + " " + http.StatusText(status) + "</h1></body></html>\n", "text/html; charset=utf-8"
	case http.StatusForbidden:
		return `{"message":"403 Forbidden"}`, "application/json"
	case http.StatusUnauthorized:
		return `{"message":"401 Unauthorized"}`, "application/json"
	case http.StatusNotFound:
		return `{"message":"404 Not Found"}`, "application/json"
	}
	return `{"message":"` + strconv.Itoa(status) + " " + http.StatusText(status) + `"}`, "application/json"
}
