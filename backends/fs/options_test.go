package fs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidate checks that a root that cannot be created is refused before
// serving, and that validating creates nothing.
func TestValidate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		root, want string // want "" for valid
	}{
		{dir, ""},
		{filepath.Join(dir, "new", "deeper"), ""},
		{"", "root: required"},
		{file, "is not a directory"},
		{filepath.Join(file, "data"), file + " is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			o := &Options{Root: tt.root}
			err := o.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
		t.Fatalf("Validate created the root: %v", err)
	}
}
