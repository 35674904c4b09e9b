package grafanafake

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"unicode"
)

// paging reads the page (from 1) and limit query parameters.
func paging(w http.ResponseWriter, r *http.Request, defaultLimit int) (page, limit int, ok bool) {
	page, limit = 1, defaultLimit
	for name, into := range map[string]*int{"page": &page, "limit": &limit} {
		v := r.URL.Query().Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, name+" must be a positive integer")
			return 0, 0, false
		}
		*into = n
	}
	return page, limit, true
}

func pageOf[T any](items []T, page, limit int) []T {
	start := (page - 1) * limit
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+limit, len(items))]
}

// shortUID is a new uid of Grafana's form: 14 letters and digits.
func shortUID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 14)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// slug is a title as Grafana puts it in URLs: lower case, words joined by
// hyphens.
func slug(title string) string {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, "-")
}
