package translate

import "strings"

// Wire is one dialect's spellings of storage classes and server-side
// encryption. Each dialect package that has such headers declares its own
// Wire; the neutral values are S3's spellings (what Metadata keeps), so a
// dialect maps every neutral value it can carry, and reading and writing
// across dialects meet in them.
type Wire struct {
	// Name names the wire (the dialect) in messages and tests.
	Name string
	// StorageClasses spell the neutral storage classes, in reading order:
	// a wire's value maps to the first entry that has it; a neutral class
	// is written as the first entry that names it (the nearest class the
	// wire has), else as the entry for STANDARD. A neutral class with no
	// entry is written as STANDARD's.
	StorageClasses []Spelling
	// SSE spell the neutral server-side encryption values, read and
	// written as StorageClasses; a neutral value with no entry has no
	// equivalent on the wire and is not sent.
	SSE []Spelling
}

// Spelling is one neutral value and how a wire writes it.
type Spelling struct {
	Neutral, Wire string
}

func (w *Wire) String() string { return w.Name }

func parseSpelling(table []Spelling, v string) (string, bool) {
	if v == "" {
		return "", true
	}
	for _, s := range table {
		if s.Wire != "" && strings.EqualFold(s.Wire, v) {
			return s.Neutral, true
		}
	}
	return "", false
}

func formatSpelling(table []Spelling, neutral string) string {
	for _, s := range table {
		if s.Neutral == neutral {
			return s.Wire
		}
	}
	return ""
}

// ParseStorageClass returns the neutral storage class for a wire's value
// ("" for none); ok is false for a class the wire does not have
// (InvalidStorageClass).
func ParseStorageClass(w *Wire, v string) (neutral string, ok bool) {
	n, ok := parseSpelling(w.StorageClasses, v)
	if n == "STANDARD" {
		n = "" // the default is kept as no class
	}
	return n, ok
}

// StorageClassFor returns how a wire writes a neutral storage class: the
// nearest class it has; the wire's standard class for "".
func StorageClassFor(w *Wire, neutral string) string {
	if neutral == "" {
		neutral = "STANDARD"
	}
	if sp := formatSpelling(w.StorageClasses, neutral); sp != "" {
		return sp
	}
	return formatSpelling(w.StorageClasses, "STANDARD")
}

// ParseSSE returns the neutral server-side encryption for a wire's value
// ("" for none); ok is false for a value the wire does not have.
func ParseSSE(w *Wire, v string) (neutral string, ok bool) {
	return parseSpelling(w.SSE, v)
}

// SSEFor returns how a wire writes a neutral server-side encryption; ""
// when it has no equivalent (the header is then left out).
func SSEFor(w *Wire, neutral string) string {
	return formatSpelling(w.SSE, neutral)
}
