package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expand replaces the environment references in every scalar value indexed
// (see the package comment), in place, and records which nodes were
// expanded from which variables. It reports every problem found, each naming
// the line and YAML path, and never a value.
func (s *source) expand(lookup func(string) (string, bool)) error {
	p := s.problems()
	for path, n := range s.nodes {
		if n.Kind != yaml.ScalarNode || !strings.Contains(n.Value, "$") {
			continue
		}
		v, names, err := expandString(n.Value, lookup)
		if err != nil {
			p.add(n.Line, path, "%v", err)
			s.unexpanded[path] = true
			continue
		}
		if v == n.Value && len(names) == 0 {
			continue
		}
		if len(names) > 0 {
			s.expanded[n] = n.Value
		}
		n.Value = v
		retag(n)
	}
	return p.err()
}

// retag lets an expanded plain scalar resolve by its new text (so that
// ${N} can be an integer), unless the text would read as null, which would
// silently empty a string field. Quoted, block and explicitly tagged
// scalars keep their tag.
func retag(n *yaml.Node) {
	const quoted = yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
	if n.Style&(yaml.TaggedStyle|quoted) != 0 {
		return
	}
	switch n.Value {
	case "", "~", "null", "Null", "NULL":
		n.Tag = "!!str"
	default:
		n.Tag = ""
	}
}

// expandString expands the references in v. It returns the names referenced
// (in order, including those that fell back to a default). Errors name the
// variable, never a value: v may be a literal secret.
func expandString(v string, lookup func(string) (string, bool)) (string, []string, error) {
	var b strings.Builder
	var names []string
	for i := 0; i < len(v); {
		switch {
		case strings.HasPrefix(v[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(v[i:], "${"):
			end := strings.IndexByte(v[i+2:], '}')
			if end < 0 {
				return "", nil, errors.New(`unterminated "${" (write "$${" for a literal "${")`)
			}
			ref := v[i+2 : i+2+end]
			i += 2 + end + 1
			name, def, hasDef := strings.Cut(ref, ":-")
			if !envNameRE.MatchString(name) {
				return "", nil, errors.New(`invalid environment reference: a name must match [A-Za-z_][A-Za-z0-9_]* (write "$${" for a literal "${")`)
			}
			names = append(names, name)
			val, ok := lookup(name)
			switch {
			case hasDef && (!ok || val == ""):
				val = def
			case !ok:
				return "", nil, fmt.Errorf("environment variable %s is not set (write ${%s:-default} for a default)", name, name)
			}
			b.WriteString(val)
		default:
			b.WriteByte(v[i])
			i++
		}
	}
	return b.String(), names, nil
}
