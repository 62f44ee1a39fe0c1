package config

import (
	"testing"
	"time"
)

// TestAdminSettings: the admin listener, pprof, body_read_timeout and
// max_inflight get their defaults, keep explicit values (an explicit 0s
// body_read_timeout apart from unset) and refuse what cannot be served.
func TestAdminSettings(t *testing.T) {
	with := func(extra string) string {
		return edit(5, 5, "  upload_id_secret: 0123456789abcdef\n"+extra)
	}
	for _, tc := range []struct {
		name, yaml  string
		metrics     string
		pprof       bool
		bodyTimeout time.Duration
		maxInflight int
	}{
		{"defaults", base, "", false, DefaultBodyReadTimeout, 0},
		{"admin on", with("  metrics_listen: 127.0.0.1:9100\n  pprof: true"), "127.0.0.1:9100", true, DefaultBodyReadTimeout, 0},
		{"timeout off", with("  body_read_timeout: 0s"), "", false, 0, 0},
		{"timeout set", with("  body_read_timeout: 2s\n  max_inflight: 64"), "", false, 2 * time.Second, 64},
	} {
		c, err := Parse([]byte(tc.yaml), "config.yaml")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		s := c.Server
		if s.MetricsListen != tc.metrics || s.Pprof != tc.pprof || s.BodyReadTimeout == nil ||
			s.BodyReadTimeout.Duration != tc.bodyTimeout || s.MaxInflight != tc.maxInflight {
			t.Errorf("%s: metrics_listen %q pprof %v body_read_timeout %v max_inflight %d", tc.name,
				s.MetricsListen, s.Pprof, s.BodyReadTimeout, s.MaxInflight)
		}
	}
	if DefaultBodyReadTimeout != 2*time.Minute {
		t.Errorf("DefaultBodyReadTimeout = %v, the issue asks for 2m", DefaultBodyReadTimeout)
	}
	if d := Dev(t.TempDir(), "AKIDEXAMPLE", "secret", "0123456789abcdef").Server.BodyReadTimeout; d == nil || d.Duration != DefaultBodyReadTimeout {
		t.Errorf("Dev body_read_timeout = %v", d)
	}

	for _, tc := range []struct{ extra, want string }{
		{"  metrics_listen: 127.0.0.1:9000", "server.metrics_listen: must differ from server.listen"},
		{"  metrics_listen: nonsense", `server.metrics_listen: invalid address "nonsense"`},
		{"  pprof: true", "server.pprof: requires server.metrics_listen"},
		{"  body_read_timeout: -1s", "server.body_read_timeout: must not be negative"},
		{"  max_inflight: -1", "server.max_inflight: must not be negative"},
	} {
		_, err := Parse([]byte(with(tc.extra)), "config.yaml")
		wantProblem(t, err, "config.yaml", 6, tc.want)
	}
}
