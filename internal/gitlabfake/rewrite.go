package gitlabfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// rewriter holds an answer back and corrupts it as its fault says before
// it reaches the client.
type rewriter struct {
	http.ResponseWriter
	fault  *Fault
	status int
	body   bytes.Buffer
}

func (rw *rewriter) WriteHeader(status int) { rw.status = status }

func (rw *rewriter) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.body.Write(b)
}

func (rw *rewriter) finish() {
	h := rw.Header()
	for k, vs := range rw.fault.SetHeader {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	for _, k := range rw.fault.DropHeader {
		h.Del(k)
	}
	body := rw.body.Bytes()
	if n := rw.fault.Truncate; n > 0 {
		var items []json.RawMessage
		if json.Unmarshal(body, &items) == nil {
			items = items[:max(0, len(items)-n)]
			body, _ = json.Marshal(items)
			if len(items) == 0 {
				body = []byte("[]")
			}
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	rw.ResponseWriter.WriteHeader(rw.status)
	_, _ = rw.ResponseWriter.Write(body)
}
