package config

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/babelgate/babelgate/translate"
)

// The custom scalar types below implement yaml.Unmarshaler on scalars only:
// they read Node.Value and never call Node.Decode, so strict decoding is kept
// (go-yaml #460). They report a bad value as a *yaml.TypeError whose message
// starts "line N: ", the decoder's own form, so that decodeStrict can map it
// back to the file's line and YAML path and keep decoding to collect more.

// Duration is a time.Duration written the Go way: "30s", "15m", "1h30m".
// A bare number (no unit) is refused.
type Duration struct {
	time.Duration
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return scalarWanted(n, "duration")
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return typeError(n, "invalid duration %q, want a number with a unit such as 30s, 15m or 1h30m", n.Value)
	}
	d.Duration = v
	return nil
}

// Size is a number of bytes. In YAML it is an integer number of bytes
// (5242880) or a number with a unit (5MiB, 1.5GiB, 100K); see [ParseSize].
type Size int64

// Binary multiples accepted by ParseSize; each unit's short form means the
// same as its long form (K is KiB: 1024, not 1000).
var sizeUnits = map[string]int64{
	"K": 1 << 10, "KiB": 1 << 10,
	"M": 1 << 20, "MiB": 1 << 20,
	"G": 1 << 30, "GiB": 1 << 30,
	"T": 1 << 40, "TiB": 1 << 40,
}

var sizeRE = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?\s*([A-Za-z]*)$`)

// ParseSize parses a size: either an integer number of bytes ("5242880") or
// a decimal number followed by one of the units K, KiB, M, MiB, G, GiB, T,
// TiB, with optional space between ("5MiB", "5 M", "1.5GiB"). Every unit is
// a binary multiple: K and KiB are both 1024 bytes, M and MiB 1024², and so
// on. Units are case-sensitive; "MB", "kb" and the like are refused rather
// than guessed at. A fraction is allowed only with a unit and only when the
// result is a whole number of bytes. Negative sizes and sizes over
// math.MaxInt64 bytes are refused.
func ParseSize(s string) (Size, error) {
	m := sizeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("invalid size %q, want bytes or a number with a unit such as 5MiB (K, KiB, M, MiB, G, GiB, T or TiB; all binary multiples)", s)
	}
	mult := int64(1)
	if unit := m[3]; unit != "" {
		var ok bool
		if mult, ok = sizeUnits[unit]; !ok {
			return 0, fmt.Errorf("invalid size %q: unknown unit %q, want K, KiB, M, MiB, G, GiB, T or TiB (all binary multiples)", s, unit)
		}
	} else if m[2] != "" {
		return 0, fmt.Errorf("invalid size %q: a fraction needs a unit, want a whole number of bytes", s)
	}
	r, _ := new(big.Rat).SetString(m[1] + m[2]) // the regexp admits only decimal numbers
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() {
		return 0, fmt.Errorf("invalid size %q: not a whole number of bytes", s)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("invalid size %q: too large, want at most %d bytes", s, int64(^uint64(0)>>1))
	}
	return Size(r.Num().Int64()), nil
}

// String returns the size in the largest binary unit that divides it
// exactly ("5MiB"), or in bytes ("1000"). ParseSize accepts the result.
func (s Size) String() string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if s != 0 && int64(s)%u.mult == 0 {
			return fmt.Sprintf("%d%s", int64(s)/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%d", int64(s))
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return scalarWanted(n, "size")
	}
	v, err := ParseSize(n.Value)
	if err != nil {
		return typeError(n, "%s", err.Error())
	}
	*s = v
	return nil
}

// Access is what a [Grant] allows: read, write or readwrite. Write implies
// read, so write and readwrite allow the same.
type Access int

// Access levels. The zero value is unset, which validation refuses.
const (
	AccessRead Access = iota + 1
	AccessWrite
	AccessReadWrite
)

var accessNames = [...]string{AccessRead: "read", AccessWrite: "write", AccessReadWrite: "readwrite"}

// String returns the YAML spelling, or "unset".
func (a Access) String() string {
	if a > 0 && int(a) < len(accessNames) {
		return accessNames[a]
	}
	return "unset"
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (a *Access) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return scalarWanted(n, "access")
	}
	for i, name := range accessNames {
		if i > 0 && n.Value == name {
			*a = Access(i)
			return nil
		}
	}
	return typeError(n, "unknown access %q, want read, write or readwrite", n.Value)
}

// translate maps a to the level translate checks: write implies read.
func (a Access) translate() translate.Access {
	switch a {
	case AccessRead:
		return translate.AccessRead
	case AccessWrite, AccessReadWrite:
		return translate.AccessWrite
	}
	return translate.AccessNone
}

// typeError reports a bad value at n in the decoder's own form.
func typeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
}

// scalarWanted reports a mapping or sequence where a scalar belongs, worded
// as the decoder words it so that it is mapped back to the right node.
func scalarWanted(n *yaml.Node, what string) error {
	return typeError(n, "cannot unmarshal %s into %s", n.ShortTag(), what)
}
