package translate

import "testing"

// TestSpellingRules checks how a Wire's table is read and written: reading
// takes the first entry with the value (case-insensitively), writing the
// first entry for the neutral value, else STANDARD's for a storage class
// and nothing for SSE; STANDARD is kept as no class. The dialects' own
// tables are checked against each other in dialects/spelling_test.go.
func TestSpellingRules(t *testing.T) {
	w := &Wire{Name: "test",
		StorageClasses: []Spelling{
			{Neutral: "STANDARD", Wire: "Std"},
			{Neutral: "STANDARD_IA", Wire: "Cool"},
			{Neutral: "DEEP_ARCHIVE", Wire: "Frozen"},
			{Neutral: "DEEP_ARCHIVE", Wire: "Glacial"},
			{Neutral: "ONEZONE_IA", Wire: "Cool"},
		},
		SSE: []Spelling{{Neutral: "aws:kms", Wire: "KMS"}, {Neutral: "aws:kms:dsse", Wire: "KMS"}},
	}
	for _, tt := range []struct {
		in, neutral string
		ok          bool
	}{
		{"Std", "", true}, {"", "", true}, {"cool", "STANDARD_IA", true}, {"Glacial", "DEEP_ARCHIVE", true},
		{"STANDARD", "", false}, {"GLACIER", "", false},
	} {
		if n, ok := ParseStorageClass(w, tt.in); n != tt.neutral || ok != tt.ok {
			t.Errorf("ParseStorageClass(%q) = %q, %v, want %q, %v", tt.in, n, ok, tt.neutral, tt.ok)
		}
	}
	for neutral, want := range map[string]string{"": "Std", "STANDARD_IA": "Cool", "ONEZONE_IA": "Cool",
		"DEEP_ARCHIVE": "Frozen", "GLACIER": "Std"} {
		if got := StorageClassFor(w, neutral); got != want {
			t.Errorf("StorageClassFor(%q) = %q, want %q", neutral, got, want)
		}
	}
	if n, ok := ParseSSE(w, "kms"); n != "aws:kms" || !ok {
		t.Errorf("ParseSSE(kms) = %q, %v", n, ok)
	}
	if _, ok := ParseSSE(w, "AES256"); ok {
		t.Error("ParseSSE accepted a value the wire does not have")
	}
	if got := SSEFor(w, "AES256"); got != "" {
		t.Errorf("SSEFor(AES256) = %q, want none", got)
	}
}
