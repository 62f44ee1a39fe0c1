package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/babelgate/babelgate/translate"
)

// Version is the only config file version this package knows.
const Version = 1

// Defaults applied by [Load], [Parse] and [Dev] to fields left zero.
const (
	DefaultListen            = "127.0.0.1:9000"
	DefaultMaxSkew           = 15 * time.Minute
	DefaultShutdownTimeout   = 30 * time.Second
	DefaultReadHeaderTimeout = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultCompleteKeepAlive = time.Second
	DefaultBodyReadTimeout   = 2 * time.Minute
	DefaultBucketSettingsTTL = 2 * time.Second
	DefaultLogLevel          = "info"
	DefaultLogFormat         = "json"
)

// MinUploadIDSecret is the shortest server.upload_id_secret accepted, in
// bytes.
const MinUploadIDSecret = 16

// Config is a whole configuration file. Build one with [Load], [Parse] or
// [Dev]; a Config built any other way should be checked with
// [Config.Validate] before use.
type Config struct {
	// Version is the file format version; only [Version] (1) is known.
	Version int    `yaml:"version"`
	Server  Server `yaml:"server"`
	Log     Log    `yaml:"log"`
	// Users are the access keys allowed in, with their bucket grants. At
	// least one is required.
	Users []User `yaml:"users"`
	// Backends are the storage providers. At least one is required.
	Backends []Backend `yaml:"backends"`
	// DefaultBackend names the backend buckets live on unless routed
	// elsewhere. Required when there is more than one backend; defaults to
	// the only one otherwise.
	DefaultBackend string `yaml:"default_backend"`
	// Routes send front buckets to other backends than the default, with
	// optional renaming and a key prefix.
	Routes   []Route  `yaml:"routes"`
	Dialects Dialects `yaml:"dialects"`
	// Anonymous grants unsigned requests read access to a bucket's keys
	// under a prefix. Reloadable. Anonymous writes are granted only by a
	// bucket policy's explicit Allow, never here.
	Anonymous []AnonymousGrant `yaml:"anonymous"`

	// File is the path the config was loaded from (or the name given to
	// Parse); it is not read from YAML and is used in messages.
	File string `yaml:"-"`

	src *source // what Parse saw; nil for a Config built in code
}

// Server is the HTTP listener and the settings shared by every dialect.
type Server struct {
	// Listen is the host:port to listen on; default [DefaultListen]. The
	// host may be empty (all interfaces); the port must be numeric.
	Listen string `yaml:"listen"`
	// Domains are the base domains for virtual-host addressing: a request
	// to bucket.<domain> addresses the bucket. Host names only: no port, no
	// scheme. They are lowercased when loaded.
	Domains []string `yaml:"domains"`
	// TLS, when both files are set, serves HTTPS.
	TLS TLS `yaml:"tls"`
	// UploadIDSecret seals the upload IDs handed to clients. Required, at
	// least [MinUploadIDSecret] bytes, and the same on every instance.
	UploadIDSecret string `yaml:"upload_id_secret"`
	// MaxSkew is the largest clock difference accepted between a signed
	// request and the server; default [DefaultMaxSkew].
	MaxSkew Duration `yaml:"max_skew"`
	// ShutdownTimeout bounds a graceful shutdown; default
	// [DefaultShutdownTimeout].
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// ReadHeaderTimeout is http.Server.ReadHeaderTimeout; default
	// [DefaultReadHeaderTimeout].
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	// IdleTimeout is http.Server.IdleTimeout; default [DefaultIdleTimeout].
	IdleTimeout Duration `yaml:"idle_timeout"`
	// CompleteKeepAlive is how long a CompleteMultipartUpload may work
	// before the gateway answers 200 at once and keeps the connection alive
	// with white space, sending the result or the error in the body when
	// done (as S3 does); default [DefaultCompleteKeepAlive]. 0s does so for
	// every Complete. Not negative. It is a pointer so that an explicit 0s
	// differs from unset; after defaults it is never nil.
	CompleteKeepAlive *Duration `yaml:"complete_keepalive"`
	// MetricsListen is the host:port of the admin listener (Prometheus
	// /metrics, /healthz, /readyz, and pprof when Pprof is set); empty
	// (the default) serves none. It must differ from Listen.
	MetricsListen string `yaml:"metrics_listen"`
	// Pprof serves net/http/pprof under /debug/pprof/ on the admin
	// listener (never on Listen); it requires MetricsListen.
	Pprof bool `yaml:"pprof"`
	// BodyReadTimeout ends a request body that sends no byte for that long
	// (the client gets its dialect's RequestTimeout where it still reads
	// one, and partial data is removed); default [DefaultBodyReadTimeout];
	// 0s disables it. Not negative. A pointer, as CompleteKeepAlive.
	BodyReadTimeout *Duration `yaml:"body_read_timeout"`
	// MaxInflight bounds the requests served at once; one beyond it is
	// answered at once with the dialect's SlowDown (503). 0 (the default)
	// is unlimited. Not negative.
	MaxInflight int `yaml:"max_inflight"`
	// BucketSettingsTTL is how long bucket policies, CORS rules and ACLs
	// read from the store are reused before being read again; default
	// [DefaultBucketSettingsTTL]; 0s reads them for every request that
	// needs them. A change made through one instance applies on it at once
	// and on the others within this time. Not negative. A pointer, as
	// CompleteKeepAlive.
	BucketSettingsTTL *Duration `yaml:"bucket_settings_ttl"`
}

// TLS names a certificate and its key, both PEM files. Set both or neither;
// validation checks that both can be read.
type TLS struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// Enabled reports whether either file is set (validation requires both).
func (t TLS) Enabled() bool { return t.Cert != "" || t.Key != "" }

// Log configures the process log.
type Log struct {
	// Level is debug, info, warn or error; default [DefaultLogLevel].
	Level string `yaml:"level"`
	// Format is json or text; default [DefaultLogFormat].
	Format string `yaml:"format"`
}

// User is one access key and the buckets it may use.
type User struct {
	// AccessKey identifies the user in signatures: non-empty, no ':' and no
	// white space, unique across users.
	AccessKey string `yaml:"access_key"`
	// SecretKey signs the user's requests; required. Never printed.
	SecretKey string `yaml:"secret_key"`
	// Buckets are the user's grants. A user with none can only list
	// buckets, and sees none.
	Buckets []Grant `yaml:"buckets"`
}

// Grant allows Access on the buckets whose names match Name.
type Grant struct {
	// Name is a bucket name or a path.Match pattern; "*" is every bucket.
	Name string `yaml:"name"`
	// Access is required.
	Access Access `yaml:"access"`
}

// Principal returns the user as translate sees it: read grants become
// translate.AccessRead, write and readwrite grants translate.AccessWrite
// (write implies read there).
func (u User) Principal() *translate.Principal {
	p := &translate.Principal{AccessKey: u.AccessKey, Grants: make([]translate.Grant, 0, len(u.Buckets))}
	for _, g := range u.Buckets {
		p.Grants = append(p.Grants, translate.Grant{Pattern: g.Name, Access: g.Access.translate()})
	}
	return p
}

// Backend is one storage provider instance.
type Backend struct {
	// Name identifies the backend in default_backend and in routing;
	// required and unique.
	Name string `yaml:"name"`
	// Type is the provider type registered with the backends registry
	// (fs, s3, ...); required. This package does not consult the registry:
	// the caller looks the type up and calls [Backend.DecodeOptions].
	Type string `yaml:"type"`
	// Options is the provider's own settings, kept undecoded (with
	// environment references already expanded) until DecodeOptions. Its
	// Kind is 0 when the file had no options.
	Options yaml.Node `yaml:"options"`

	src  *source // nil when built in code
	path string  // "backends[i]"
}

// Route sends one front bucket to a backend.
type Route struct {
	// Bucket is the name clients use; required, unique across routes.
	Bucket string `yaml:"bucket"`
	// Backend names a configured backend; required.
	Backend string `yaml:"backend"`
	// BackendBucket is the bucket's name on the backend; default Bucket.
	BackendBucket string `yaml:"backend_bucket"`
	// KeyPrefix is put before every key on the backend (e.g. "team-a/"),
	// so several front buckets can share one backend bucket.
	KeyPrefix string `yaml:"key_prefix"`
	// From and To make the route a migration (instead of backend,
	// backend_bucket and key_prefix): the bucket moves from From to To
	// while clients keep using it; see README "Migrating a bucket".
	From *RouteEnd `yaml:"from"`
	To   *RouteEnd `yaml:"to"`
	// CopyOnRead, on a migrating route, copies an object read from the
	// source to the destination in the background.
	CopyOnRead bool `yaml:"copy_on_read"`
}

// RouteEnd is one end of a migrating route.
type RouteEnd struct {
	// Backend names a configured backend; required.
	Backend string `yaml:"backend"`
	// Bucket is the bucket on it; default the route's bucket.
	Bucket string `yaml:"bucket"`
	// KeyPrefix is put before every key there.
	KeyPrefix string `yaml:"key_prefix"`
}

// AnonymousGrant lets unsigned requests read Bucket's keys that begin
// with Prefix: GET and HEAD of them, and listings whose prefix begins with
// Prefix.
type AnonymousGrant struct {
	// Bucket is the front bucket name; required.
	Bucket string `yaml:"bucket"`
	// Prefix limits the grant to keys beginning with it; "" is every key.
	Prefix string `yaml:"prefix"`
	// Access must be read.
	Access Access `yaml:"access"`
}

// TranslateAnonymous returns the anonymous grants as the engine takes them.
func (c *Config) TranslateAnonymous() []translate.AnonymousGrant {
	out := make([]translate.AnonymousGrant, 0, len(c.Anonymous))
	for _, a := range c.Anonymous {
		out = append(out, translate.AnonymousGrant{Bucket: a.Bucket, Prefix: a.Prefix})
	}
	return out
}

// TranslateRoutes returns the routes as the engine takes them.
func (c *Config) TranslateRoutes() []translate.Route {
	out := make([]translate.Route, 0, len(c.Routes))
	for _, r := range c.Routes {
		tr := translate.Route{Bucket: r.Bucket, Backend: r.Backend, BackendBucket: r.BackendBucket, KeyPrefix: r.KeyPrefix}
		if r.From != nil && r.To != nil {
			tr.Backend, tr.BackendBucket, tr.KeyPrefix = r.To.Backend, r.To.Bucket, r.To.KeyPrefix
			tr.Source = &translate.RouteSide{Backend: r.From.Backend, Bucket: r.From.Bucket, KeyPrefix: r.From.KeyPrefix}
			tr.CopyOnRead = r.CopyOnRead
		}
		out = append(out, tr)
	}
	return out
}

// Dialects holds the sections of the registered dialects (the open set:
// dialects.Register), by dialect name. This package names no dialect: the
// caller (cmd) registers each dialect's section ([RegisterDialectSection])
// before loading a config, and any other name under dialects: is an
// unknown field.
type Dialects struct {
	// Sections are the sections as written, kept undecoded (with the
	// file's line numbers). A dialect with its own schema decodes its
	// section with [Config.DecodeDialect].
	Sections map[string]yaml.Node `yaml:",inline"`
	// Limits are the decoded limits sections (a dialect registered with
	// DialectSection.Rules), by dialect name, set by [Parse]; a section
	// left out of the file (or a Config built in code) has the zero
	// Limits.
	Limits map[string]Limits `yaml:"-"`
}

// Limits is the standard section of an object-storage dialect
// (DialectSection.Rules): overrides of some of its [translate.Rules], its
// virtual-host domains and its regions. A zero field keeps the dialect's
// documented value.
type Limits struct {
	MinPartSize   Size `yaml:"min_part_size"`
	MaxPartSize   Size `yaml:"max_part_size"`
	MaxPartNumber int  `yaml:"max_part_number"`
	MaxObjectSize Size `yaml:"max_object_size"`
	// Domains are virtual-host base domains that belong to this dialect:
	// bucket.<domain> addresses the bucket, and a request whose Host is
	// under one of them is served in this dialect even when nothing else in
	// it says so (an unsigned request). Host names only, lowercased.
	Domains []string `yaml:"domains"`
	// Regions are the regions a SigV4 credential scope may name; what
	// they mean and their default are the dialect's (for s3, default
	// [us-east-1], the first is also the region the gateway reports; for
	// obs they bind OBS clients that sign the AWS way at an OBS domain,
	// default any region; unused by oss).
	Regions []string `yaml:"regions"`
}

// Apply returns base with l's non-zero fields in place of its own. base is
// not modified.
func (l Limits) Apply(base translate.Rules) translate.Rules {
	r := base
	r.AlwaysChecksum = slices.Clone(base.AlwaysChecksum)
	if l.MinPartSize != 0 {
		r.MinPartSize = int64(l.MinPartSize)
	}
	if l.MaxPartSize != 0 {
		r.MaxPartSize = int64(l.MaxPartSize)
	}
	if l.MaxPartNumber != 0 {
		r.MaxPartNumber = l.MaxPartNumber
	}
	if l.MaxObjectSize != 0 {
		r.MaxObjectSize = int64(l.MaxObjectSize)
	}
	return r
}

// DialectRules returns the rules of the dialect registered as name with a
// limits section: its base rules with the section's overrides applied. ok
// is false for a name registered without Rules, or not at all.
func (c *Config) DialectRules(name string) (r translate.Rules, ok bool) {
	s, ok := lookupSection(name)
	if !ok || s.Rules == nil {
		return translate.Rules{}, false
	}
	return c.Dialects.Limits[name].Apply(*s.Rules), true
}

// AllDomains returns every virtual-host base domain: server.domains and
// each limits section's own, in section order.
func (c *Config) AllDomains() []string {
	out := append([]string(nil), c.Server.Domains...)
	for _, s := range limitsSections() {
		out = append(out, c.Dialects.Limits[s.name].Domains...)
	}
	return out
}

// Load reads, decodes, defaults and validates the config file at path (see
// the package comment). On any failure it returns a nil Config and an error
// naming the file and, where there is one, the YAML line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path)
}

// Parse is [Load] for a file already read; filename is used in messages and
// becomes Config.File. Environment references are expanded from the process
// environment.
func Parse(data []byte, filename string) (*Config, error) {
	c, err := decode(data, filename, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decode runs steps 1 to 4 of the package comment.
func decode(data []byte, filename string, lookup func(string) (string, bool)) (*Config, error) {
	src := newSource(filename)
	root, err := parseDocument(data, src.name())
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: src.name(), Line: root.Line, Msg: fmt.Sprintf("the top level must be a mapping, starting with version: %d", Version)}
	}
	src.index(root, "", 0) // a missing top-level key has no line
	// A file of another version is refused for that reason alone, unless
	// its version itself could not be expanded.
	expandErr := src.expand(lookup)
	if !src.unexpanded["version"] {
		if err := src.checkVersion(); err != nil {
			return nil, err
		}
	}
	if expandErr != nil {
		return nil, expandErr
	}
	c := &Config{File: filename, src: src}
	err = decodeStrict(root, "", c, src)
	for name := range c.Dialects.Sections {
		n := yaml.Node{}
		if orig := src.nodes["dialects."+name]; orig != nil {
			n = *orig // the original node, with the file's line numbers
		}
		c.Dialects.Sections[name] = n
	}
	// The limits sections decode with the rest: their problems join the
	// file's, in file order.
	if err := joinProblems(src, err, c.decodeLimits()); err != nil {
		return nil, err
	}
	for i := range c.Backends {
		b := &c.Backends[i]
		b.src, b.path = src, fmt.Sprintf("backends[%d]", i)
		b.Options = yaml.Node{}
		if n := src.nodes[b.path+".options"]; n != nil {
			b.Options = *n // the original node, with the file's line numbers
		}
	}
	return c, nil
}

// parseDocument parses data as exactly one YAML document and returns its
// root node.
func parseDocument(data []byte, file string) (*yaml.Node, error) {
	empty := &Error{File: file, Msg: fmt.Sprintf("empty config, want at least version: %d", Version)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, empty
		}
		return nil, syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, syntaxError(file, err)
		}
		return nil, &Error{File: file, Line: extra.Line, Msg: "only one YAML document is allowed"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, empty
	}
	return doc.Content[0], nil
}

var digitsRE = regexp.MustCompile(`^[0-9]+$`)

// parserProblems are the messages of go-yaml's parser (as opposed to its
// scanner). go-yaml v3.0.1 reports their line counting from 0 (the scanner's
// from 1); it is the line where the enclosing collection starts.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// syntaxError turns go-yaml's "yaml: line N: msg" into an *Error at line N
// (counting from 1).
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			line++
		}
		return &Error{File: file, Line: line, Msg: m[2]}
	}
	return &Error{File: file, Msg: msg}
}

// checkVersion looks at version: before anything else is decoded, so that a
// file of another version is refused for that reason alone.
func (s *source) checkVersion() error {
	n := s.nodes["version"]
	if n == nil {
		return &Error{File: s.name(), Path: "version", Msg: fmt.Sprintf("required, want %d", Version)}
	}
	if n.Kind != yaml.ScalarNode || n.Value != strconv.Itoa(Version) {
		shown := n.ShortTag()
		if _, expanded := s.expanded[n]; n.Kind == yaml.ScalarNode && (expanded || !digitsRE.MatchString(n.Value)) {
			shown = s.quote("version", n.Value)
		} else if n.Kind == yaml.ScalarNode {
			shown = n.Value
		}
		return &Error{File: s.name(), Line: n.Line, Path: "version", Msg: fmt.Sprintf("unsupported config version %s, want %d", shown, Version)}
	}
	return nil
}

// applyDefaults fills zero fields; see the field docs.
func (c *Config) applyDefaults() {
	s := &c.Server
	if s.Listen == "" {
		s.Listen = DefaultListen
	}
	lists := [][]string{s.Domains}
	for _, l := range c.Dialects.Limits {
		lists = append(lists, l.Domains)
	}
	for _, list := range lists {
		for i, d := range list {
			list[i] = strings.ToLower(d)
		}
	}
	setDuration(&s.MaxSkew, DefaultMaxSkew)
	setDuration(&s.ShutdownTimeout, DefaultShutdownTimeout)
	setDuration(&s.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDuration(&s.IdleTimeout, DefaultIdleTimeout)
	if s.CompleteKeepAlive == nil {
		s.CompleteKeepAlive = &Duration{DefaultCompleteKeepAlive}
	}
	if s.BucketSettingsTTL == nil {
		s.BucketSettingsTTL = &Duration{DefaultBucketSettingsTTL}
	}
	if s.BodyReadTimeout == nil {
		s.BodyReadTimeout = &Duration{DefaultBodyReadTimeout}
	}
	if c.Log.Level == "" {
		c.Log.Level = DefaultLogLevel
	}
	if c.Log.Format == "" {
		c.Log.Format = DefaultLogFormat
	}
	if c.DefaultBackend == "" && len(c.Backends) == 1 {
		c.DefaultBackend = c.Backends[0].Name
	}
}

func setDuration(d *Duration, def time.Duration) {
	if d.Duration == 0 {
		d.Duration = def
	}
}

// FSBackend returns a backend entry of type fs named name with options
// {root: root}, as if written in the file.
func FSBackend(name, root string) Backend {
	options := yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "root"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: root},
	}}
	return Backend{Name: name, Type: "fs", Options: options}
}

// Dev returns a ready, valid config for starting with no config file: one fs
// backend named "local" rooted at dataDir (see [FSBackend]), and one user
// with readwrite access to every bucket; every other field has its default.
// uploadSecret must be at least [MinUploadIDSecret] bytes, and accessKey and
// secretKey must satisfy the rules for users, or the result will not pass
// [Config.Validate]. Its File is empty, so messages name it "config".
func Dev(dataDir, accessKey, secretKey, uploadSecret string) *Config {
	c := &Config{
		Version: Version,
		Server:  Server{UploadIDSecret: uploadSecret},
		Users: []User{{
			AccessKey: accessKey,
			SecretKey: secretKey,
			Buckets:   []Grant{{Name: "*", Access: AccessReadWrite}},
		}},
		Backends: []Backend{FSBackend("local", dataDir)},
	}
	c.applyDefaults()
	return c
}
