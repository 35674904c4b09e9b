package main

import (
	"strings"
	"testing"
)

func TestReadConfig(t *testing.T) {
	def := mustAtoi(t, defaultPort)
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr string
	}{
		{name: "defaults", env: nil, want: config{port: def, metricsPort: defaultMetricsPort}},
		{name: "PORT and HOST", env: map[string]string{"PORT": "8081", "HOST": "127.0.0.1"},
			want: config{host: "127.0.0.1", port: 8081, metricsPort: defaultMetricsPort}},
		{name: "METRICS_PORT", env: map[string]string{"PORT": "8081", "METRICS_PORT": "9100"},
			want: config{port: 8081, metricsPort: 9100}},
		{name: "metrics move aside when the app takes 9464", env: map[string]string{"PORT": "9464"},
			want: config{port: 9464, metricsPort: 9465}},
		{name: "port 0 picks free ports", env: map[string]string{"PORT": "0", "METRICS_PORT": "0"},
			want: config{port: 0, metricsPort: 0}},
		{name: "same port twice", env: map[string]string{"PORT": "8081", "METRICS_PORT": "8081"},
			wantErr: "must differ from PORT"},
		{name: "PORT not a number", env: map[string]string{"PORT": "http"}, wantErr: `PORT="http"`},
		{name: "PORT out of range", env: map[string]string{"PORT": "70000"}, wantErr: "not a port number"},
		{name: "METRICS_PORT negative", env: map[string]string{"METRICS_PORT": "-1"}, wantErr: `METRICS_PORT="-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	p, err := parsePort("defaultPort", s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
