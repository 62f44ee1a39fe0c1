package translate

import "strings"

// Wire names a dialect in the spelling tables.
type Wire int

// The wires that spell storage classes and encryption their own way.
const (
	WireS3 Wire = iota
	WireOSS
	WireOBS
)

// spelling is one neutral value and how each wire writes it. The neutral
// value is S3's spelling (what Metadata keeps); an empty wire spelling
// means the wire has no equivalent and the value is not sent in it.
type spelling struct {
	neutral      string
	s3, oss, obs string
}

func (s spelling) on(w Wire) string {
	switch w {
	case WireOSS:
		return s.oss
	case WireOBS:
		return s.obs
	}
	return s.s3
}

// storageClasses maps storage classes between the dialects. Reading, a
// wire's spelling maps to the first row that has it; writing, a neutral
// class is sent as its row's spelling for the reading wire, the nearest
// class that wire has.
var storageClasses = []spelling{
	{neutral: "STANDARD", s3: "STANDARD", oss: "Standard", obs: "STANDARD"},
	{neutral: "STANDARD_IA", s3: "STANDARD_IA", oss: "IA", obs: "WARM"},
	{neutral: "GLACIER", s3: "GLACIER", oss: "Archive", obs: "COLD"},
	{neutral: "DEEP_ARCHIVE", s3: "DEEP_ARCHIVE", oss: "ColdArchive", obs: "DEEP_ARCHIVE"},
	{neutral: "DEEP_ARCHIVE", s3: "DEEP_ARCHIVE", oss: "DeepColdArchive", obs: "DEEP_ARCHIVE"},
	// S3-only classes: kept as sent, written as the nearest class elsewhere.
	{neutral: "REDUCED_REDUNDANCY", s3: "REDUCED_REDUNDANCY", oss: "Standard", obs: "STANDARD"},
	{neutral: "INTELLIGENT_TIERING", s3: "INTELLIGENT_TIERING", oss: "Standard", obs: "STANDARD"},
	{neutral: "ONEZONE_IA", s3: "ONEZONE_IA", oss: "IA", obs: "WARM"},
	{neutral: "GLACIER_IR", s3: "GLACIER_IR", oss: "IA", obs: "WARM"},
	{neutral: "OUTPOSTS", s3: "OUTPOSTS", oss: "Standard", obs: "STANDARD"},
	{neutral: "SNOW", s3: "SNOW", oss: "Standard", obs: "STANDARD"},
	{neutral: "EXPRESS_ONEZONE", s3: "EXPRESS_ONEZONE", oss: "Standard", obs: "STANDARD"},
}

// serverSideEncryption maps server-side encryption indications. OSS's SM4
// has no equivalent in S3 or OBS: it is kept and echoed to OSS clients,
// and left out of S3 and OBS answers.
var serverSideEncryption = []spelling{
	{neutral: "AES256", s3: "AES256", oss: "AES256", obs: "AES256"},
	{neutral: "aws:kms", s3: "aws:kms", oss: "KMS", obs: "kms"},
	{neutral: "aws:kms:dsse", s3: "aws:kms:dsse", oss: "KMS", obs: "kms"},
	{neutral: "oss:SM4", oss: "SM4"},
}

func parseSpelling(table []spelling, w Wire, v string) (string, bool) {
	if v == "" {
		return "", true
	}
	for _, s := range table {
		if sp := s.on(w); sp != "" && strings.EqualFold(sp, v) {
			return s.neutral, true
		}
	}
	return "", false
}

func formatSpelling(table []spelling, w Wire, neutral string) string {
	for _, s := range table {
		if s.neutral == neutral {
			return s.on(w)
		}
	}
	return ""
}

// ParseStorageClass returns the neutral storage class for a wire's value
// ("" for none); ok is false for a class the wire does not have
// (InvalidStorageClass).
func ParseStorageClass(w Wire, v string) (neutral string, ok bool) {
	n, ok := parseSpelling(storageClasses, w, v)
	if n == "STANDARD" {
		n = "" // the default is kept as no class
	}
	return n, ok
}

// StorageClassFor returns how a wire writes a neutral storage class: the
// nearest class it has; the wire's standard class for "".
func StorageClassFor(w Wire, neutral string) string {
	if neutral == "" {
		neutral = "STANDARD"
	}
	if sp := formatSpelling(storageClasses, w, neutral); sp != "" {
		return sp
	}
	return formatSpelling(storageClasses, w, "STANDARD")
}

// ParseSSE returns the neutral server-side encryption for a wire's value
// ("" for none); ok is false for a value the wire does not have.
func ParseSSE(w Wire, v string) (neutral string, ok bool) {
	return parseSpelling(serverSideEncryption, w, v)
}

// SSEFor returns how a wire writes a neutral server-side encryption; ""
// when it has no equivalent (the header is then left out).
func SSEFor(w Wire, neutral string) string {
	return formatSpelling(serverSideEncryption, w, neutral)
}
