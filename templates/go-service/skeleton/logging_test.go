package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// decodeLines parses JSON log lines; each must carry time, level and msg.
func decodeLines(t *testing.T, text string) []map[string]any {
	t.Helper()
	var entries []map[string]any
	for line := range strings.Lines(strings.TrimSpace(text)) {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		for _, k := range []string{"time", "level", "msg"} {
			if e[k] == nil || e[k] == "" {
				t.Fatalf("no %s in %q", k, line)
			}
		}
		entries = append(entries, e)
	}
	return entries
}

func TestLoggerWritesJSONLinesAtLevel(t *testing.T) {
	tests := []struct {
		level string
		want  []string // the levels written, in order
	}{
		{level: "", want: []string{"info", "warn", "error"}},
		{level: "debug", want: []string{"debug", "info", "warn", "error"}},
		{level: "WARN", want: []string{"warn", "error"}},
		{level: "nonsense", want: []string{"info", "warn", "error"}},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			logger := newLogger(&buf, tt.level).With("service", "test")
			logger.Debug("d")
			logger.Info("i", "port", 8080)
			logger.Warn("w")
			logger.Error("e")
			var got []string
			for _, e := range decodeLines(t, buf.String()) {
				got = append(got, e["level"].(string))
				if e["service"] != "test" {
					t.Errorf("no service field: %v", e)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("levels %v, want %v", got, tt.want)
			}
		})
	}
}
