package gitlabfake

import (
	"sort"
	"strings"
)

// didYouMean is ValidationContext#did_you_mean_suggestion over Ruby's
// DidYouMean::SpellChecker, which GitLab's schema uses by default.
func didYouMean(input string, dictionary []string) string {
	names := spellCheck(input, dictionary)
	for i, n := range names {
		names[i] = "`" + n + "`"
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " (Did you mean " + names[0] + "?)"
	}
	return " (Did you mean " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + "?)"
}

// spellCheck is DidYouMean::SpellChecker#correct: Jaro-Winkler candidates,
// kept within a Levenshtein distance of a quarter of the input, else the
// closest misspelling.
func spellCheck(input string, dictionary []string) []string {
	in := strings.ToLower(strings.ReplaceAll(input, "@", ""))
	norm := func(w string) string { return strings.ToLower(strings.ReplaceAll(w, "@", "")) }
	threshold := 0.77
	if len([]rune(in)) > 3 {
		threshold = 0.834
	}
	var words []string
	for _, w := range dictionary {
		if w != input && jaroWinkler(norm(w), in) >= threshold {
			words = append(words, w)
		}
	}
	sort.SliceStable(words, func(i, j int) bool { return jaroWinkler(words[i], in) > jaroWinkler(words[j], in) })
	limit := (len([]rune(in)) + 3) / 4
	var out []string
	for _, w := range words {
		if levenshtein(norm(w), in) <= limit {
			out = append(out, w)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, w := range words {
		if levenshtein(norm(w), in) < min(len([]rune(in)), len([]rune(norm(w)))) {
			return []string{w}
		}
	}
	return nil
}

func jaro(a, b string) float64 {
	s1, s2 := []rune(a), []rune(b)
	if len(s1) > len(s2) {
		s1, s2 = s2, s1
	}
	span := max(len(s2)/2-1, 0)
	f1, f2 := make([]bool, len(s1)), make([]bool, len(s2))
	m := 0.0
	for i := range s1 {
		for j := max(i-span, 0); j <= i+span && j < len(s2); j++ {
			if !f2[j] && s1[i] == s2[j] {
				f1[i], f2[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0.0, 0
	for i := range s1 {
		if !f1[i] {
			continue
		}
		j := k
		for !f2[j] {
			j++
		}
		k = j + 1
		if s1[i] != s2[j] {
			t++
		}
	}
	t = float64(int(t / 2))
	return (m/float64(len(s1)) + m/float64(len(s2)) + (m-t)/m) / 3
}

func jaroWinkler(a, b string) float64 {
	d := jaro(a, b)
	if d <= 0.7 {
		return d
	}
	r1, r2 := []rune(a), []rune(b)
	bonus := 0
	for i := 0; i < len(r1) && i < len(r2) && i < 4 && r1[i] == r2[i]; i++ {
		bonus++
	}
	return d + float64(bonus)*0.1*(1-d)
}

func levenshtein(a, b string) int {
	s, t := []rune(a), []rune(b)
	prev := make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur := make([]int, len(t)+1)
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(t)]
}
