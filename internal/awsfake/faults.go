package awsfake

import (
	"encoding/json"
	"strings"
	"time"
)

// Fault makes matching requests fail or slow down. A request matches when
// every non-empty selector matches; the first matching fault with uses left
// applies, and only that one. Faults apply before authentication, as
// throttling and outages happen in front of the service.
type Fault struct {
	// Service is "secretsmanager" or "sts"; empty matches both.
	Service string `json:"service,omitempty"`
	// Action is the operation, e.g. "GetSecretValue" or
	// "AssumeRoleWithWebIdentity"; empty matches any.
	Action string `json:"action,omitempty"`
	// SecretID matches a Secrets Manager call's SecretId exactly, so one
	// secret can fail while the others are served; empty matches any.
	SecretID string `json:"secret_id,omitempty"`

	// Status is the HTTP status to answer with. Zero with an empty Code
	// means "no error": only Delay applies and the request is then served.
	Status int `json:"status,omitempty"`
	// Code is the AWS error code, e.g. "ThrottlingException",
	// "InternalServiceError", "IDPCommunicationError". Empty: the service's
	// usual one for Status (throttling for 400 and 429, an internal error
	// for 5xx). A Code without Status answers 400.
	Code string `json:"code,omitempty"`
	// Message replaces the code's default message.
	Message string `json:"message,omitempty"`
	// Delay holds the response back. The wait ends early when the client
	// gives up (request context cancelled), so client timeouts work.
	Delay time.Duration `json:"-"`
	// Times is how many requests the fault applies to; 0 means until
	// ClearFaults.
	Times int `json:"times,omitempty"`
}

// UnmarshalJSON accepts Delay as a duration string ("2s"), for the admin API.
func (ft *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	aux := struct {
		*plain
		Delay string `json:"delay,omitempty"`
	}{plain: (*plain)(ft)}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&aux); err != nil {
		return err
	}
	if aux.Delay != "" {
		d, err := time.ParseDuration(aux.Delay)
		if err != nil {
			return err
		}
		ft.Delay = d
	}
	return nil
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

func (s *faultState) matches(rq *request) bool {
	return s.left != 0 &&
		(s.Service == "" || s.Service == rq.svc) &&
		(s.Action == "" || s.Action == rq.op) &&
		(s.SecretID == "" || s.SecretID == rq.secretID())
}

// applyFault answers the request if a fault says so and reports whether the
// request should proceed.
func (f *Fake) applyFault(rq *request) bool {
	fault := f.takeFault(rq)
	if fault == nil {
		return true
	}
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-rq.r.Context().Done():
			t.Stop()
			return false // the client is gone; nobody reads an answer
		}
	}
	if fault.Status == 0 && fault.Code == "" {
		return true
	}
	status := fault.Status
	if status == 0 {
		status = 400
	}
	e := defaultFaultError(rq.svc, status)
	e.Status = status
	if fault.Code != "" {
		e.Code = fault.Code
	}
	if fault.Message != "" {
		e.Message = fault.Message
	}
	rq.fail(e)
	return false
}

func (f *Fake) takeFault(rq *request) *Fault {
	f.reqMu.Lock()
	defer f.reqMu.Unlock()
	for _, s := range f.faults {
		if s.matches(rq) {
			if s.left > 0 {
				s.left--
			}
			cp := s.Fault
			return &cp
		}
	}
	return nil
}
