package config

import (
	"math"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
		err  string
	}{
		{in: "0", want: 0},
		{in: "1", want: 1},
		{in: "5242880", want: 5 << 20},
		{in: " 7 ", want: 7},
		{in: "1K", want: 1024},
		{in: "1KiB", want: 1024},
		{in: "100K", want: 100 << 10},
		{in: "5M", want: 5 << 20},
		{in: "5MiB", want: 5 << 20},
		{in: "5 MiB", want: 5 << 20},
		{in: "1G", want: 1 << 30},
		{in: "5GiB", want: 5 << 30},
		{in: "1.5GiB", want: 3 << 29},
		{in: "0.5K", want: 512},
		{in: "2T", want: 2 << 40},
		{in: "1TiB", want: 1 << 40},
		{in: "9223372036854775807", want: math.MaxInt64},
		{in: "8388607TiB", want: 8388607 << 40},

		{in: "", err: "invalid size"},
		{in: "MiB", err: "invalid size"},
		{in: "-1", err: "invalid size"},
		{in: "+1", err: "invalid size"},
		{in: "1e3", err: "invalid size"},
		{in: "0x10", err: "invalid size"},
		{in: "1_000", err: "invalid size"},
		{in: "5MB", err: `unknown unit "MB"`},
		{in: "5mib", err: `unknown unit "mib"`},
		{in: "5k", err: `unknown unit "k"`},
		{in: "5B", err: `unknown unit "B"`},
		{in: "5 M B", err: "invalid size"},
		{in: "1.5", err: "a fraction needs a unit"},
		{in: "0.1K", err: "not a whole number of bytes"},
		{in: ".5K", err: "invalid size"},
		{in: "9223372036854775808", err: "too large"},
		{in: "8388608TiB", err: "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseSize(%q) = %d, %v, want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSize(%q) = %d, %v, want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSizeString(t *testing.T) {
	for _, tt := range []struct {
		s    Size
		want string
	}{
		{0, "0"}, {1000, "1000"}, {1024, "1KiB"}, {100 << 10, "100KiB"}, {5 << 20, "5MiB"},
		{3 << 29, "1536MiB"}, {5 << 30, "5GiB"}, {1 << 40, "1TiB"}, {1<<40 + 1, "1099511627777"},
	} {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(tt.s), got, tt.want)
		}
		if back, err := ParseSize(tt.want); err != nil || back != tt.s {
			t.Errorf("ParseSize(%q) = %d, %v, want %d", tt.want, back, err, int64(tt.s))
		}
	}
}

func TestAccessString(t *testing.T) {
	for a, want := range map[Access]string{0: "unset", AccessRead: "read", AccessWrite: "write", AccessReadWrite: "readwrite", 9: "unset"} {
		if got := a.String(); got != want {
			t.Errorf("Access(%d).String() = %q, want %q", int(a), got, want)
		}
	}
}
