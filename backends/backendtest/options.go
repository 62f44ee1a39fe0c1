package backendtest

import (
	"io"
	"strings"
	"testing"
)

// OptionCase is one check of a store type's options: Edit applied to
// valid options; Want a text Validate's error must hold, "" for valid.
type OptionCase[O any] struct {
	Name string
	Edit func(*O)
	Want string
}

// CheckOptions runs cases, each on fresh valid options from good:
// Validate answers as the case wants, and New refuses exactly what
// Validate refuses (check-config and serve agree). New must not call the
// store.
func CheckOptions[O any, B io.Closer](t *testing.T, good func() *O, validate func(*O) error, build func(O) (B, error), cases []OptionCase[O]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			o := good()
			tc.Edit(o)
			err := validate(o)
			if tc.Want == "" && err != nil || tc.Want != "" && (err == nil || !strings.Contains(err.Error(), tc.Want)) {
				t.Fatalf("Validate() = %v, want %q", err, tc.Want)
			}
			b, nerr := build(*o)
			if nerr == nil {
				b.Close()
			}
			if (nerr == nil) != (err == nil) {
				t.Fatalf("New and Validate disagree: %v vs %v", nerr, err)
			}
		})
	}
}
