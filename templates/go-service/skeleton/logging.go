package main

import (
	"io"
	"log/slog"
	"strings"
)

// newLogger writes one JSON object per line (time, level, msg, then the
// fields), which is what the cluster's log collector parses. Levels are
// lower-case, as in the platform's other services' logs. LOG_LEVEL is debug,
// info (the default), warn or error.
func newLogger(w io.Writer, level string) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: lvl,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey && len(groups) == 0 {
				a.Value = slog.StringValue(strings.ToLower(a.Value.String()))
			}
			return a
		},
	}))
}
