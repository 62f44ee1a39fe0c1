package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/babelgate/babelgate/translate"
)

// Error is one problem with a config file. Load, Parse, Validate and
// DecodeOptions return an errors.Join of *Error values (Load may also return
// the error from reading the file). Its message never holds a value taken
// from the environment, nor a secret.
type Error struct {
	File string // as given to Load or Parse; "config" for a Config built in code
	Line int    // 1-based YAML line; 0 when unknown
	Path string // YAML path, such as users[0].buckets[1].access; "" for the file
	Msg  string
}

// Error returns "file:line: path: msg", leaving out the parts that are
// unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// source is what Parse saw of a file: its name, where every YAML path was,
// and which values came from the environment. One source is shared by a
// Config and its Backends.
type source struct {
	file string
	// lines maps a YAML path to the line of its key (or, for a sequence
	// item, of the item); "" is the top-level mapping, at line 0 so that a
	// missing top-level key is reported without a line.
	lines map[string]int
	// nodes maps a YAML path to its value node (after expansion).
	nodes map[string]*yaml.Node
	// expanded maps a value node that held environment references to its
	// text before expansion ("${SECRET}"), which is what messages show.
	expanded map[*yaml.Node]string
	// unexpanded holds the paths whose references could not be expanded.
	unexpanded map[string]bool
}

func newSource(file string) *source {
	return &source{file: file, lines: map[string]int{}, nodes: map[string]*yaml.Node{}, expanded: map[*yaml.Node]string{}, unexpanded: map[string]bool{}}
}

// name is the file name used in messages.
func (s *source) name() string {
	if s == nil || s.file == "" {
		return "config"
	}
	return s.file
}

// index records the line and node of n and everything under it. Aliases are
// not followed: an aliased value is indexed where its anchor is.
func (s *source) index(n *yaml.Node, path string, line int) {
	s.lines[path], s.nodes[path] = line, n
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinPath(path, k)
			if isMergeKey(k) {
				p = strings.TrimPrefix(path+".<<", ".") // index the merged value apart from the mapping
			}
			s.index(v, p, k.Line)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			s.index(item, fmt.Sprintf("%s[%d]", path, i), item.Line)
		}
	}
}

// line returns the line of path, or of its nearest recorded parent, or 0.
func (s *source) line(path string) int {
	if s == nil {
		return 0
	}
	for {
		if l, ok := s.lines[path]; ok {
			return l
		}
		if path == "" {
			return 0
		}
		path = parentPath(path)
	}
}

// quote returns value quoted for a message, or, if the value at path came
// from the environment, the text it was expanded from ("${NAME}").
func (s *source) quote(path, value string) string {
	if s == nil {
		return strconv.Quote(value)
	}
	n := s.nodes[path]
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if raw, ok := s.expanded[n]; ok {
		return strconv.Quote(raw)
	}
	// A value reached through a merge key ("<<") has no path of its own.
	for n, raw := range s.expanded {
		if n.Value == value {
			return strconv.Quote(raw)
		}
	}
	return strconv.Quote(value)
}

func (s *source) problems() *problems { return &problems{file: s.name()} }

// joinPath returns the path of the value of key k in the mapping at path.
// A merge key ("<<") adds nothing: merged fields belong to the mapping.
func joinPath(path string, k *yaml.Node) string {
	switch {
	case isMergeKey(k):
		return path
	case path == "":
		return k.Value
	}
	return path + "." + k.Value
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// parentPath returns the path one level up: users[0].access → users[0] →
// users → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// problems collects *Error values for one file.
type problems struct {
	file string
	list []*Error
}

func (p *problems) add(line int, path, format string, args ...any) {
	p.list = append(p.list, &Error{File: p.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// err returns the problems in file order, joined, or nil. A problem
// reported twice (a bad anchored value decoded through two aliases) is
// kept once.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	var errs []error
	seen := map[Error]bool{}
	for _, e := range p.list {
		if !seen[*e] {
			seen[*e] = true
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}

// DecodeOptions strictly decodes the backend's options into into, which must
// be a non-nil pointer, normally the one the registry's NewOptions returned
// (with its defaults already set: keys absent from the file leave them
// alone). An unknown key or a value of the wrong type is an error naming the
// file, the line and the YAML path (backends[0].options.root), like every
// other config error. Missing or null options leave into untouched.
func (b *Backend) DecodeOptions(into any) error {
	path := b.path + ".options"
	if b.path == "" {
		path = "options"
	}
	if rv := reflect.ValueOf(into); rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("config: %s: DecodeOptions needs a non-nil pointer, got %T", path, into)
	}
	n := &b.Options
	switch {
	case n.Kind == 0, n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return nil
	case n.Kind != yaml.MappingNode && n.Kind != yaml.AliasNode:
		p := b.src.problems()
		p.add(n.Line, path, "want a mapping of options, not %s", n.ShortTag())
		return p.err()
	}
	src := b.src
	if src == nil {
		src = newSource("")
	}
	return decodeStrict(n, path, into, src)
}

// DialectSection is how this package treats one dialect's section under
// dialects:.
type DialectSection struct {
	// Order places the section among the others when they are checked (a
	// domain named in two sections is blamed on the later one).
	Order int
	// Rules, when set, make the section the standard [Limits] section over
	// these base rules: decoded with the file (line-numbered errors) into
	// Dialects.Limits, its overrides checked against them, its domains
	// with server.domains and the other sections'. Without Rules the
	// section is the dialect's own, decoded by the caller with
	// [Config.DecodeDialect].
	Rules *translate.Rules
}

type namedSection struct {
	name string
	DialectSection
}

var (
	sectionsMu sync.Mutex
	sections   = map[string]DialectSection{}
)

// RegisterDialectSection makes dialects.<name> a known section: the caller
// (cmd) registers the section of every registered dialect before loading a
// config; any other name under dialects: is an unknown field. Registering
// a name again replaces its section.
func RegisterDialectSection(name string, s DialectSection) {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	sections[name] = s
}

func lookupSection(name string) (DialectSection, bool) {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	s, ok := sections[name]
	return s, ok
}

func knownSection(name string) bool {
	_, ok := lookupSection(name)
	return ok
}

// limitsSections returns the registered limits sections, by Order, then
// name.
func limitsSections() []namedSection {
	sectionsMu.Lock()
	defer sectionsMu.Unlock()
	var out []namedSection
	for name, s := range sections {
		if s.Rules != nil {
			out = append(out, namedSection{name, s})
		}
	}
	slices.SortFunc(out, func(a, b namedSection) int {
		if c := cmp.Compare(a.Order, b.Order); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	return out
}

// decodeLimits strictly decodes every limits section present in the file
// into Dialects.Limits.
func (c *Config) decodeLimits() error {
	var errs []error
	for _, s := range limitsSections() {
		var l Limits
		if _, ok := c.Dialects.Sections[s.name]; ok {
			if err := c.DecodeDialect(s.name, &l); err != nil {
				errs = append(errs, err)
			}
		}
		if c.Dialects.Limits == nil {
			c.Dialects.Limits = map[string]Limits{}
		}
		c.Dialects.Limits[s.name] = l
	}
	return errors.Join(errs...)
}

// joinProblems joins the problems of several decodings, in file order;
// an error that is not a problem of the file is returned as it is.
func joinProblems(s *source, errs ...error) error {
	p := s.problems()
	var flat func(err error) error
	flat = func(err error) error {
		if err == nil {
			return nil
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if err := flat(e); err != nil {
					return err
				}
			}
			return nil
		}
		var e *Error
		if !errors.As(err, &e) {
			return err
		}
		p.list = append(p.list, e)
		return nil
	}
	for _, err := range errs {
		if err := flat(err); err != nil {
			return err
		}
	}
	return p.err()
}

// DecodeDialect strictly decodes the section dialects.<name> into into, a
// non-nil pointer holding the dialect's defaults, as [Backend.DecodeOptions]
// does for a backend's options: an unknown key or a value of the wrong type
// is an error naming the file, line and path. A missing or null section
// leaves into untouched.
func (c *Config) DecodeDialect(name string, into any) error {
	path := "dialects." + name
	if rv := reflect.ValueOf(into); rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("config: %s: DecodeDialect needs a non-nil pointer, got %T", path, into)
	}
	n, ok := c.Dialects.Sections[name]
	switch {
	case !ok, n.Kind == 0, n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return nil
	case n.Kind != yaml.MappingNode && n.Kind != yaml.AliasNode:
		p := c.src.problems()
		p.add(n.Line, path, "want a mapping, not %s", n.ShortTag())
		return p.err()
	}
	src := c.src
	if src == nil {
		src = newSource("")
	}
	return decodeStrict(&n, path, into, src)
}

// DialectErrorf returns an *Error at the line of dialects.<name>.<field>
// (field "" for the section itself), for problems the dialect finds in
// its section after decoding, or for a section naming no registered
// dialect.
func (c *Config) DialectErrorf(name, field, format string, args ...any) error {
	path := "dialects." + name
	if field != "" {
		path += "." + field
	}
	p := c.src.problems()
	p.add(c.src.line(path), path, format, args...)
	return p.err()
}

// Errorf returns an *Error at the line of field, a key of this backend's
// entry such as "type" ("" for the entry itself), for problems found
// outside this package, such as an unknown type in the registry.
func (b *Backend) Errorf(field, format string, args ...any) error {
	path := b.path
	if field != "" {
		path = strings.TrimPrefix(path+"."+field, ".")
	}
	p := b.src.problems()
	p.add(b.src.line(path), path, format, args...)
	return p.err()
}

var (
	lineRE  = regexp.MustCompile(`^line (\d+): (.*)$`)
	fieldRE = regexp.MustCompile(`^field (.*?) not found in type .*$`)
	dupRE   = regexp.MustCompile(`^mapping key (.*) already defined at line (\d+)$`)
	intoRE  = regexp.MustCompile(` into (\S+)$`)
	// quotedValueRE matches the value in "cannot unmarshal !!str `value` into int".
	quotedValueRE = regexp.MustCompile(" `[^`]*`")
)

// decodeStrict decodes the tree at root (with the YAML path base) into into
// with KnownFields(true), reporting every decoder complaint at the line and
// path of the node it is about in root's file.
//
// The decoder reads text, so the tree is copied (block style, one key per
// line, no comments), encoded, and decoded; the copy is also parsed back
// into nodes. The parsed-back tree has the copy's shape, so walking both in
// preorder pairs every re-encoded node, and through it every line the decoder
// names, with the original node.
func decodeStrict(root *yaml.Node, base string, into any, s *source) error {
	cl := &cloner{seen: map[*yaml.Node]*yaml.Node{}}
	copied := cl.clone(root, base, s.line(base))
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(copied); err != nil {
		return fmt.Errorf("config: %s: re-encoding for strict decoding: %w", s.name(), err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config: %s: re-encoding for strict decoding: %w", s.name(), err)
	}
	text := buf.Bytes()

	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	err := dec.Decode(into)
	if err == nil {
		return nil
	}
	p := s.problems()
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		p.add(s.line(base), base, "%v", err)
		return p.err()
	}
	m := newLineMap(text, cl.order)
	for _, msg := range te.Errors {
		m.report(p, s, base, msg)
	}
	return p.err()
}

// entry is one node of the copy: the original it came from, its YAML path
// and the line of the key (or sequence item) it belongs to.
type entry struct {
	orig    *yaml.Node
	path    string
	keyLine int
}

// cloner copies a node tree for re-encoding, recording entries in preorder.
type cloner struct {
	seen  map[*yaml.Node]*yaml.Node // original → copy, for aliases
	order []entry
}

func (c *cloner) clone(n *yaml.Node, path string, keyLine int) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		}
		if t, ok := c.seen[n.Alias]; ok {
			c.order = append(c.order, entry{n, path, keyLine})
			return &yaml.Node{Kind: yaml.AliasNode, Value: n.Value, Alias: t}
		}
		// The anchor is outside the tree being decoded (options: *common):
		// inline a copy of what it names.
		return c.clone(n.Alias, path, keyLine)
	}
	cp := &yaml.Node{Kind: n.Kind, Style: n.Style &^ yaml.FlowStyle, Tag: n.Tag, Value: n.Value, Anchor: n.Anchor}
	c.seen[n] = cp
	c.order = append(c.order, entry{n, path, keyLine})
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinPath(path, k)
			cp.Content = append(cp.Content, c.clone(k, p, k.Line), c.clone(v, p, k.Line))
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			cp.Content = append(cp.Content, c.clone(item, fmt.Sprintf("%s[%d]", path, i), item.Line))
		}
	}
	return cp
}

// lineMap answers "which original node is the decoder talking about at
// line N of the re-encoded text".
type lineMap struct {
	order  []entry
	kinds  []yaml.Kind   // kind of each re-encoded node, in preorder
	byLine map[int][]int // re-encoded line → indexes into order, in preorder
}

func newLineMap(text []byte, order []entry) *lineMap {
	m := &lineMap{order: order, byLine: map[int][]int{}}
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil || len(doc.Content) == 0 {
		return m
	}
	var walk func(n *yaml.Node)
	var reparsed []*yaml.Node
	walk = func(n *yaml.Node) {
		reparsed = append(reparsed, n)
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc.Content[0])
	if len(reparsed) != len(order) {
		return m // cannot happen for a tree the encoder wrote; report without lines
	}
	for i, n := range reparsed {
		m.byLine[n.Line] = append(m.byLine[n.Line], i)
		m.kinds = append(m.kinds, n.Kind)
	}
	return m
}

// find returns the entry for a decoder message about line. In block style a
// line holds at most one key, its scalar value, and the collections that
// start there; the decoder names a collection ("cannot unmarshal !!map")
// or else a key or a scalar value, which share an entry path.
func (m *lineMap) find(line int, msg string) (entry, bool) {
	idxs := m.byLine[line]
	if len(idxs) == 0 {
		return entry{}, false
	}
	want := yaml.Kind(0)
	switch {
	case strings.HasPrefix(msg, "cannot unmarshal !!map"):
		want = yaml.MappingNode
	case strings.HasPrefix(msg, "cannot unmarshal !!seq"):
		want = yaml.SequenceNode
	}
	if want != 0 {
		for _, i := range slices.Backward(idxs) {
			if m.kinds[i] == want {
				return m.order[i], true
			}
		}
	}
	return m.order[idxs[len(idxs)-1]], true
}

// origLine maps a line of the re-encoded text to the original's, or 0.
func (m *lineMap) origLine(line int) int {
	if e, ok := m.find(line, ""); ok {
		return e.keyLine
	}
	return 0
}

// report adds the problem one decoder message describes.
func (m *lineMap) report(p *problems, s *source, base, msg string) {
	lm := lineRE.FindStringSubmatch(msg)
	if lm == nil {
		p.add(s.line(base), base, "%s", quotedValueRE.ReplaceAllString(msg, ""))
		return
	}
	line, _ := strconv.Atoi(lm[1])
	text := lm[2]
	e, ok := m.find(line, text)
	if !ok {
		// Not attributable (which should not happen): report it against the
		// whole tree, without the value the decoder quotes, which may have
		// come from the environment.
		p.add(s.line(base), base, "%s", quotedValueRE.ReplaceAllString(text, ""))
		return
	}
	if f := fieldRE.FindStringSubmatch(text); f != nil {
		p.add(e.keyLine, e.path, "unknown field %q", f[1])
		return
	}
	if d := dupRE.FindStringSubmatch(text); d != nil {
		first, _ := strconv.Atoi(d[2])
		p.add(e.keyLine, e.path, "duplicate key %s (first at line %d)", d[1], m.origLine(first))
		return
	}
	if raw, ok := s.expanded[e.orig]; ok {
		p.add(e.orig.Line, e.path, "%s", redact(text, raw))
		return
	}
	p.add(e.orig.Line, e.path, "%s", text)
}

// redact rewrites a message about a value that came from the environment so
// that it shows only the text the value was expanded from, keeping the
// message's "want ..." advice (which never quotes the value).
func redact(msg, raw string) string {
	want := ""
	if i := strings.LastIndex(msg, "want "); i >= 0 {
		want = ", " + msg[i:]
	} else if m := intoRE.FindStringSubmatch(msg); m != nil {
		want = ", want " + m[1]
	}
	return fmt.Sprintf("invalid value from %s%s", strconv.Quote(raw), want)
}
