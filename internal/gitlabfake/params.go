package gitlabfake

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params are a write request's parameters as Grape sees them: the query
// string, then a form or JSON body on top. JSON arrays become repeated
// values and scalars their text, so every endpoint reads one shape.
type params struct {
	v   url.Values
	set map[string]bool
}

// readParams merges the query string and the body. A malformed JSON body is
// 400 with Grape's wording.
func readParams(rq *request) (params, bool) {
	p := params{v: url.Values{}, set: map[string]bool{}}
	add := func(k, v string) {
		k = strings.TrimSuffix(k, "[]") // topics[]=a&topics[]=b
		p.v.Add(k, v)
		p.set[k] = true
	}
	for k, vs := range rq.q {
		for _, v := range vs {
			add(k, v)
		}
	}
	if rq.r.Body == nil {
		return p, true
	}
	body, err := io.ReadAll(io.LimitReader(rq.r.Body, 1<<20))
	if err != nil || len(body) == 0 {
		return p, true
	}
	ct, _, _ := mime.ParseMediaType(rq.r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			writeError(rq.w, http.StatusBadRequest, "There was a problem with the JSON in your request")
			return p, false
		}
		for k, v := range m {
			p.v.Del(k)
			switch x := v.(type) {
			case []any:
				p.set[k] = true
				for _, e := range x {
					add(k, jsonScalar(e))
				}
			case nil:
				p.set[k] = true
			default:
				add(k, jsonScalar(x))
			}
		}
	default: // application/x-www-form-urlencoded, as curl --data sends
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeError(rq.w, http.StatusBadRequest, "Invalid request body")
			return p, false
		}
		for k, vs := range form {
			for _, v := range vs {
				add(k, v)
			}
		}
	}
	return p, true
}

func jsonScalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (p params) has(k string) bool   { return p.set[k] }
func (p params) str(k string) string { return p.v.Get(k) }

// list reads an Array[String] parameter, given as repeated values or, as
// Grape's comma-separated coercion allows, as "a,b".
func (p params) list(k string) []string {
	var out []string
	for _, v := range p.v[k] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// boolean reads a Grape Boolean; ok is false (and 400 written) when invalid.
func (p params) boolean(rq *request, k string) (val, ok bool) {
	if !p.has(k) {
		return false, true
	}
	switch strings.ToLower(p.str(k)) {
	case "true", "1", "yes", "t", "y", "on":
		return true, true
	case "false", "0", "no", "f", "n", "off", "":
		return false, true
	}
	writeError(rq.w, http.StatusBadRequest, k+" is invalid")
	return false, false
}

// integer reads a Grape Integer; ok is false (and 400 written) when invalid.
func (p params) integer(rq *request, k string) (int64, bool) {
	if !p.has(k) || p.str(k) == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(p.str(k), 10, 64)
	if err != nil {
		writeError(rq.w, http.StatusBadRequest, k+" is invalid")
		return 0, false
	}
	return n, true
}

// require writes Grape's "x is missing" for the first absent parameter.
func (p params) require(rq *request, keys ...string) bool {
	var missing []string
	for _, k := range keys {
		if !p.has(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		writeError(rq.w, http.StatusBadRequest, strings.Join(missing, ", ")+" is missing")
		return false
	}
	return true
}

// writeValidation renders an ActiveRecord validation failure as the API
// does: 400 {"message": {"field": ["message", ...]}}.
func writeValidation(w http.ResponseWriter, errs map[string][]string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"message": errs})
}
