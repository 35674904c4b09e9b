package appspec

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// SchemaID is where editors fetch the schema from; app.yaml files point at it
// with a "# yaml-language-server: $schema=" comment.
const SchemaID = "https://raw.githubusercontent.com/vibe-coder-biz/idp/main/appspec/app.schema.json"

// Schema returns the JSON Schema of app.yaml, derived from the Go types so
// the two cannot drift. Unknown fields are rejected at every level.
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{
		ExpandedStruct: true,
		DoNotReference: true,
	}
	s := r.Reflect(&App{})
	s.ID = jsonschema.ID(SchemaID)
	s.Title = "idp App"
	s.Description = "One app on the internal developer platform: rendered by the CMP into a hardened Kubernetes service."
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
