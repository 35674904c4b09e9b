package gitlabfake

import (
	"net/http"
	"regexp"
	"slices"
)

// Ci::Maskable's rules: an expanded masked value is 8 or more characters of
// the Base64 alphabet plus '@', ':', '.' and '~'; a raw one is 8 or more
// non-space characters. Both are therefore single-line.
var (
	maskRegex       = regexp.MustCompile(`^[a-zA-Z0-9_+=/@:.~-]{8,}$`)
	maskRawRegex    = regexp.MustCompile(`^\S{8,}$`)
	variableKeyRe   = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)
	variableTypes   = []string{"env_var", "file"}
	variableKeyText = "can contain only letters, digits and '_'."
)

type variable struct {
	id                                int64
	key, value, scope, kind, describe string
	protected, masked, hidden, raw    bool
}

// variableJSON is API::Entities::Ci::Variable; a hidden value is null.
type variableJSON struct {
	VariableType     string  `json:"variable_type"`
	Key              string  `json:"key"`
	Value            *string `json:"value"`
	Hidden           bool    `json:"hidden"`
	Protected        bool    `json:"protected"`
	Masked           bool    `json:"masked"`
	Raw              bool    `json:"raw"`
	EnvironmentScope string  `json:"environment_scope"`
	Description      *string `json:"description"`
}

func (v *variable) entity() variableJSON {
	e := variableJSON{
		VariableType: v.kind, Key: v.key, Hidden: v.hidden, Protected: v.protected,
		Masked: v.masked, Raw: v.raw, EnvironmentScope: v.scope,
	}
	if !v.hidden {
		val := v.value
		e.Value = &val
	}
	if v.describe != "" {
		d := v.describe
		e.Description = &d
	}
	return e
}

// apply sets the attributes a create or update names; ok is false (and 400
// written) for a Grape type error.
func (v *variable) apply(rq *request, in params) bool {
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"protected", &v.protected}, {"masked", &v.masked}, {"raw", &v.raw}} {
		if in.has(b.name) {
			val, ok := in.boolean(rq, b.name)
			if !ok {
				return false
			}
			*b.dst = val
		}
	}
	if in.has("variable_type") {
		if !slices.Contains(variableTypes, in.str("variable_type")) {
			writeError(rq.w, http.StatusBadRequest, "variable_type does not have a valid value")
			return false
		}
		v.kind = in.str("variable_type")
	}
	if in.has("value") {
		v.value = in.str("value")
	}
	if in.has("environment_scope") {
		v.scope = in.str("environment_scope")
	}
	if in.has("description") {
		v.describe = in.str("description")
	}
	return true
}

// errors runs the model's validations against the project's other variables.
func (v *variable) errors(p *project) map[string][]string {
	errs := map[string][]string{}
	if !variableKeyRe.MatchString(v.key) || len(v.key) > 255 {
		errs["key"] = append(errs["key"], variableKeyText)
	}
	if v.masked && !v.raw && !maskRegex.MatchString(v.value) || v.masked && v.raw && !maskRawRegex.MatchString(v.value) {
		errs["value"] = append(errs["value"], "is invalid")
	}
	for _, o := range p.variables {
		if o != v && o.key == v.key && o.scope == v.scope {
			errs["key"] = append(errs["key"], "("+v.key+") has already been taken")
		}
	}
	return errs
}

// createVariable serves POST /projects/:id/variables.
func (f *Fake) createVariable(rq *request) {
	in, ok := readParams(rq)
	if !ok || !in.require(rq, "key", "value") {
		return
	}
	v := &variable{key: in.str("key"), scope: "*", kind: "env_var"}
	if !v.apply(rq, in) {
		return
	}
	hidden, ok := in.boolean(rq, "masked_and_hidden")
	if !ok {
		return
	}
	if hidden {
		v.masked, v.hidden = true, true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	if errs := v.errors(p); len(errs) > 0 {
		writeValidation(rq.w, errs)
		return
	}
	f.nextVarID++
	v.id = f.nextVarID
	p.variables = append(p.variables, v)
	writeJSON(rq.w, http.StatusCreated, v.entity())
}

// listVariables serves GET /projects/:id/variables.
func (f *Fake) listVariables(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	out := []variableJSON{}
	for _, v := range p.variables {
		out = append(out, v.entity())
	}
	writePage(rq, out)
}

// findVariable picks :key, narrowed by filter[environment_scope]; a key set
// in several scopes without a filter is 409, as GitLab answers.
func (f *Fake) findVariable(rq *request, p *project) *variable {
	scope, filtered := rq.q.Get("filter[environment_scope]"), rq.q.Has("filter[environment_scope]")
	var found []*variable
	for _, v := range p.variables {
		if v.key == rq.args[1] && (!filtered || v.scope == scope) {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		notFound(rq.w, "Variable")
		return nil
	case 1:
		return found[0]
	}
	writeMessage(rq.w, http.StatusConflict, "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'")
	return nil
}

// getVariable serves GET /projects/:id/variables/:key.
func (f *Fake) getVariable(rq *request) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	if v := f.findVariable(rq, p); v != nil {
		writeJSON(rq.w, http.StatusOK, v.entity())
	}
}

// updateVariable serves PUT /projects/:id/variables/:key. Hiding is decided
// at creation only, so masked_and_hidden is not an update parameter.
func (f *Fake) updateVariable(rq *request) {
	in, ok := readParams(rq)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	v := f.findVariable(rq, p)
	if v == nil {
		return
	}
	next := *v
	if !next.apply(rq, in) {
		return
	}
	if next.hidden && !next.masked {
		writeValidation(rq.w, map[string][]string{"masked": {"should be true when variable is hidden"}})
		return
	}
	if errs := next.errors(withoutVariable(p, v)); len(errs) > 0 {
		writeValidation(rq.w, errs)
		return
	}
	*v = next
	writeJSON(rq.w, http.StatusOK, v.entity())
}

func withoutVariable(p *project, v *variable) *project {
	q := &project{}
	for _, o := range p.variables {
		if o != v {
			q.variables = append(q.variables, o)
		}
	}
	return q
}

// deleteVariable serves DELETE /projects/:id/variables/:key.
func (f *Fake) deleteVariable(rq *request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.managedProject(rq, accessMaintainer)
	if p == nil {
		return
	}
	v := f.findVariable(rq, p)
	if v == nil {
		return
	}
	p.variables = slices.DeleteFunc(p.variables, func(o *variable) bool { return o == v })
	rq.w.WriteHeader(http.StatusNoContent)
}
