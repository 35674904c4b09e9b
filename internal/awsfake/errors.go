package awsfake

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// apiError is an AWS error as a service returns it. The two protocols render
// it differently (writeError): the JSON 1.1 protocol of Secrets Manager as
// {"__type": Code, "message": Message}, the query protocol of STS as an
// <ErrorResponse> document whose <Type> is Sender for 4xx and Receiver for
// 5xx.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// Secrets Manager errors, as its API reference documents them (all HTTP 400
// but the internal ones).
func errResourceNotFound(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "ResourceNotFoundException", msg}
}

func errInvalidRequest(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidRequestException", msg}
}

func errInvalidParameter(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterException", msg}
}

// errValidation is the generic "required member missing" answer of the AWS
// front end, before the service sees the request.
func errValidation(member string) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException",
		"1 validation error detected: Value null at '" + member + "' failed to satisfy constraint: Member must not be null"}
}

// errAccessDenied is IAM's denial, in the shape both services use since
// 2023: who, which action, on what, and why. resource is empty for actions
// that take no resource (ListSecrets), which AWS leaves out of the message.
func errAccessDenied(code, principal, action, resource string) *apiError {
	msg := "User: " + principal + " is not authorized to perform: " + action
	if resource != "" {
		msg += " on resource: " + resource
	}
	msg += " because no identity-based policy allows the " + action + " action"
	status := http.StatusBadRequest // Secrets Manager's AccessDeniedException
	if code == "AccessDenied" {
		status = http.StatusForbidden // STS's
	}
	return &apiError{status, code, msg}
}

// authKind is one way a request can fail authentication. The two protocols
// name the same failure differently (see authCodes).
type authKind int

const (
	authMissing authKind = iota
	authIncomplete
	authBadSignature
	authUnknownKey
	authExpired
)

// authCodes maps an authKind to its JSON-protocol code, query-protocol code
// and status, as AWS answers them (Secrets Manager's CommonErrors page and
// STS's common errors).
var authCodes = map[authKind]struct {
	json, query             string
	jsonStatus, queryStatus int
}{
	authMissing:      {"MissingAuthenticationTokenException", "MissingAuthenticationToken", 400, 403},
	authIncomplete:   {"IncompleteSignatureException", "IncompleteSignature", 400, 400},
	authBadSignature: {"InvalidSignatureException", "SignatureDoesNotMatch", 400, 403},
	authUnknownKey:   {"UnrecognizedClientException", "InvalidClientTokenId", 400, 403},
	authExpired:      {"ExpiredTokenException", "ExpiredToken", 400, 400},
}

func authError(svc string, kind authKind, msg string) *apiError {
	c := authCodes[kind]
	if svc == serviceSTS {
		return &apiError{c.queryStatus, c.query, msg}
	}
	return &apiError{c.jsonStatus, c.json, msg}
}

// defaultFaultError is what the service says for an injected status with no
// code: throttling for 400 and 429, an internal failure for 5xx.
func defaultFaultError(svc string, status int) *apiError {
	switch {
	case status == http.StatusServiceUnavailable:
		return &apiError{status, "ServiceUnavailable", "Service Unavailable"}
	case status >= 500 && svc == serviceSM:
		return &apiError{status, "InternalServiceError", "An error occurred on the server side."}
	case status >= 500:
		return &apiError{status, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure."}
	case status == http.StatusForbidden && svc == serviceSM:
		return &apiError{status, "AccessDeniedException", "Access to the resource is denied."}
	case status == http.StatusForbidden:
		return &apiError{status, "AccessDenied", "Access denied"}
	}
	return throttled(svc, status)
}

func throttled(svc string, status int) *apiError {
	if svc == serviceSTS {
		return &apiError{status, "Throttling", "Rate exceeded"}
	}
	return &apiError{status, "ThrottlingException", "Rate exceeded"}
}

// writeError renders e in the protocol of svc.
func writeError(w http.ResponseWriter, svc, requestID string, e *apiError) {
	if svc == serviceSTS {
		writeQueryError(w, requestID, e)
		return
	}
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	writeBody(w, e.Status, contentTypeJSON, requestID, b)
}

func writeQueryError(w http.ResponseWriter, requestID string, e *apiError) {
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	doc := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		XMLNS     string   `xml:"xmlns,attr"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}{XMLNS: stsNamespace, Type: typ, Code: e.Code, Message: e.Message, RequestID: requestID}
	writeXML(w, e.Status, requestID, doc)
}

func writeXML(w http.ResponseWriter, status int, requestID string, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, status, "text/xml", requestID, append([]byte(xml.Header), b...))
}

// writeBody sends a response with the headers every AWS answer carries.
func writeBody(w http.ResponseWriter, status int, contentType, requestID string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
