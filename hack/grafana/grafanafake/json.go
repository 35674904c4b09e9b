package grafanafake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/go-openapi/strfmt"
	"github.com/grafana/grafana-openapi-client-go/models"
)

// maxBody bounds a request body; Grafana's own limit is larger, no test
// needs more.
const maxBody = 8 << 20

// decode reads a JSON request body strictly into one of the client's
// models: an unknown field means the caller and the API disagree.
func decode(r *http.Request, into any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("bad request data: %w", err)
	}
	return nil
}

// validatable is a generated model, which checks the fields its schema
// requires.
type validatable interface {
	Validate(strfmt.Registry) error
}

// writeJSON writes a response model, after checking it against its schema
// so that the stand-in never answers with a shape Grafana's would not have.
func writeJSON(w http.ResponseWriter, status int, body any) {
	if v, ok := body.(validatable); ok {
		if err := v.Validate(strfmt.Default); err != nil {
			writeError(w, http.StatusInternalServerError, "stand-in response breaks its schema: "+err.Error())
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// writeError writes Grafana's error body, {"message": ...}.
func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&models.ErrorResponseBody{Message: &message})
}
