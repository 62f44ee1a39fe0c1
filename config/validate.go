package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/babelgate/babelgate/translate"
)

// Validate checks the whole config and returns every problem found, joined
// (errors.Join of *Error, in file order), or nil. Each problem names the
// file, the line (for a Config from Load or Parse) and the YAML path.
// Validate expects defaults to have been applied, as Load, Parse and Dev do.
// It reads the TLS files named, to check they can be read, and nothing else;
// backend types and options are the caller's to check with the registry and
// [Backend.DecodeOptions].
func (c *Config) Validate() error {
	v := &validator{c: c, p: &problems{file: c.fileName()}}
	if c.Version != Version {
		v.add("version", "unsupported config version %d, want %d", c.Version, Version)
	}
	v.server()
	v.log()
	v.users()
	v.backends()
	for _, s := range limitsSections() {
		l := c.Dialects.Limits[s.name]
		v.limits("dialects."+s.name, l, l.Apply(*s.Rules))
	}
	for name := range c.Dialects.Sections {
		if !knownSection(name) {
			v.add("dialects."+name, "unknown field %q", name)
		}
	}
	return v.p.err()
}

// fileName is the file name used in messages.
func (c *Config) fileName() string {
	if c.src == nil && c.File != "" {
		return c.File
	}
	return c.src.name()
}

type validator struct {
	c *Config
	p *problems
}

func (v *validator) add(path, format string, args ...any) {
	v.p.add(v.c.src.line(path), path, format, args...)
}

// quote shows a value in a message; see source.quote.
func (v *validator) quote(path, value string) string { return v.c.src.quote(path, value) }

func (v *validator) server() {
	s := &v.c.Server
	v.listen("server.listen", s.Listen)
	seen := map[string]string{}
	v.domains("server.domains", s.Domains, seen)
	for _, d := range limitsSections() {
		v.domains("dialects."+d.name+".domains", v.c.Dialects.Limits[d.name].Domains, seen)
	}
	if s.TLS.Enabled() {
		v.tlsFile("server.tls.cert", s.TLS.Cert, "server.tls.key")
		v.tlsFile("server.tls.key", s.TLS.Key, "server.tls.cert")
	}
	switch {
	case s.UploadIDSecret == "":
		v.add("server.upload_id_secret", "required: at least %d bytes, to seal upload IDs", MinUploadIDSecret)
	case len(s.UploadIDSecret) < MinUploadIDSecret:
		v.add("server.upload_id_secret", "too short, want at least %d bytes", MinUploadIDSecret)
	}
	for _, d := range []struct {
		path string
		d    Duration
	}{
		{"server.max_skew", s.MaxSkew},
		{"server.shutdown_timeout", s.ShutdownTimeout},
		{"server.read_header_timeout", s.ReadHeaderTimeout},
		{"server.idle_timeout", s.IdleTimeout},
	} {
		if d.d.Duration <= 0 {
			v.add(d.path, "must be positive")
		}
	}
	if s.CompleteKeepAlive != nil && s.CompleteKeepAlive.Duration < 0 {
		v.add("server.complete_keepalive", "must not be negative")
	}
	v.admin(s)
}

// admin checks the admin listener and the request bounds.
func (v *validator) admin(s *Server) {
	if s.MetricsListen != "" {
		v.listen("server.metrics_listen", s.MetricsListen)
		if s.MetricsListen == s.Listen {
			v.add("server.metrics_listen", "must differ from server.listen: metrics are never served on the data port")
		}
	} else if s.Pprof {
		v.add("server.pprof", "requires server.metrics_listen: pprof is served only on the admin listener")
	}
	if s.BucketSettingsTTL != nil && s.BucketSettingsTTL.Duration < 0 {
		v.add("server.bucket_settings_ttl", "must not be negative")
	}
	if s.BodyReadTimeout != nil && s.BodyReadTimeout.Duration < 0 {
		v.add("server.body_read_timeout", "must not be negative (0s disables it)")
	}
	if s.MaxInflight < 0 {
		v.add("server.max_inflight", "must not be negative (0 is unlimited)")
	}
}

// listen checks a host:port with a numeric port and an empty host, an IP
// address or a host name.
func (v *validator) listen(p, addr string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		reason := "want host:port"
		if ae, ok := err.(*net.AddrError); ok {
			reason = ae.Err + ", want host:port" // ae.Addr would repeat the value
		}
		v.add(p, "invalid address %s: %s", v.quote(p, addr), reason)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.add(p, "invalid port in %s, want a number from 0 to 65535", v.quote(p, addr))
	}
	if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		v.add(p, "invalid host in %s, want an IP address or a host name", v.quote(p, addr))
	}
}

// tlsFile checks that one of the TLS pair is set (when the other is) and
// readable.
func (v *validator) tlsFile(p, name, other string) {
	if name == "" {
		v.add(p, "required when %s is set", other)
		return
	}
	f, err := os.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // pe.Path would repeat the value
		}
		v.add(p, "cannot read %s: %v", v.quote(p, name), err)
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		v.add(p, "%s is a directory, want a PEM file", v.quote(p, name))
	}
}

// validHostname reports whether h is a DNS host name: dot-separated labels
// of 1 to 63 letters, digits and hyphens, not starting or ending with a
// hyphen, 253 bytes at most in all, with no trailing dot.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func (v *validator) log() {
	switch l := v.c.Log.Level; l {
	case "debug", "info", "warn", "error":
	default:
		v.add("log.level", "unknown level %s, want debug, info, warn or error", v.quote("log.level", l))
	}
	switch f := v.c.Log.Format; f {
	case "json", "text":
	default:
		v.add("log.format", "unknown format %s, want json or text", v.quote("log.format", f))
	}
}

func (v *validator) users() {
	if len(v.c.Users) == 0 {
		v.add("users", "at least one user is required")
	}
	seen := map[string]int{}
	for i, u := range v.c.Users {
		p := fmt.Sprintf("users[%d]", i)
		ak := p + ".access_key"
		switch {
		case u.AccessKey == "":
			v.add(ak, "required")
		case strings.ContainsFunc(u.AccessKey, func(r rune) bool { return r == ':' || unicode.IsSpace(r) }):
			v.add(ak, "%s must not contain ':' or white space", v.quote(ak, u.AccessKey))
		default:
			if j, dup := seen[u.AccessKey]; dup {
				v.add(ak, "duplicate access key %s (first at users[%d])", v.quote(ak, u.AccessKey), j)
			} else {
				seen[u.AccessKey] = i
			}
		}
		if u.SecretKey == "" {
			v.add(p+".secret_key", "required")
		}
		for j, g := range u.Buckets {
			gp := fmt.Sprintf("%s.buckets[%d]", p, j)
			if g.Name == "" {
				v.add(gp+".name", `required: a bucket name or a pattern such as "logs-*" ("*" is every bucket)`)
			} else if _, err := path.Match(g.Name, ""); err != nil {
				v.add(gp+".name", "invalid bucket pattern %s: %v", v.quote(gp+".name", g.Name), err)
			}
			switch {
			case g.Access == 0:
				v.add(gp+".access", "required, want read, write or readwrite")
			case g.Access < 0 || g.Access > AccessReadWrite:
				v.add(gp+".access", "unknown access %d, want read, write or readwrite", int(g.Access))
			}
		}
	}
}

func (v *validator) backends() {
	c := v.c
	if len(c.Backends) == 0 {
		v.add("backends", "at least one backend is required")
	}
	seen := map[string]int{}
	var names []string
	for i, b := range c.Backends {
		p := fmt.Sprintf("backends[%d]", i)
		if b.Name == "" {
			v.add(p+".name", "required")
		} else if j, dup := seen[b.Name]; dup {
			v.add(p+".name", "duplicate backend name %s (first at backends[%d])", v.quote(p+".name", b.Name), j)
		} else {
			seen[b.Name] = i
			names = append(names, strconv.Quote(b.Name))
		}
		if b.Type == "" {
			v.add(p+".type", "required")
		}
		switch k := b.Options.Kind; {
		case k == 0, k == yaml.MappingNode, k == yaml.AliasNode:
		case k == yaml.ScalarNode && b.Options.ShortTag() == "!!null":
		default:
			v.add(p+".options", "want a mapping of options, not %s", b.Options.ShortTag())
		}
	}
	switch {
	case c.DefaultBackend == "" && len(c.Backends) > 1:
		v.add("default_backend", "required when there is more than one backend (have %s)", strings.Join(names, ", "))
	case c.DefaultBackend != "":
		if _, ok := seen[c.DefaultBackend]; !ok && len(c.Backends) > 0 {
			v.add("default_backend", "no backend named %s (have %s)", v.quote("default_backend", c.DefaultBackend), strings.Join(names, ", "))
		}
	}
	for i, a := range c.Anonymous {
		p := fmt.Sprintf("anonymous[%d]", i)
		if a.Bucket == "" {
			v.add(p+".bucket", "required")
		} else if !translate.ValidBucketName(a.Bucket) {
			v.add(p+".bucket", "%s is not a valid bucket name", v.quote(p+".bucket", a.Bucket))
		}
		if a.Access != AccessRead {
			v.add(p+".access", "must be read: anonymous writes are granted only by a bucket policy")
		}
		if strings.HasPrefix(a.Prefix, ".babelgate/") || a.Prefix == ".babelgate" {
			v.add(p+".prefix", "%s names the gateway's reserved keys", v.quote(p+".prefix", a.Prefix))
		}
	}
	routed := map[string]int{}
	for i, r := range c.Routes {
		p := fmt.Sprintf("routes[%d]", i)
		switch {
		case r.Bucket == "":
			v.add(p+".bucket", "required")
		case !translate.ValidBucketName(r.Bucket):
			v.add(p+".bucket", "%s is not a valid bucket name", v.quote(p+".bucket", r.Bucket))
		default:
			if j, dup := routed[r.Bucket]; dup {
				v.add(p+".bucket", "bucket %s is already routed (routes[%d])", v.quote(p+".bucket", r.Bucket), j)
			}
			routed[r.Bucket] = i
		}
		if r.From != nil || r.To != nil {
			v.migration(p, r, seen, names)
			continue
		}
		if r.CopyOnRead {
			v.add(p+".copy_on_read", "only a migrating route (with from and to) copies on read")
		}
		if _, ok := seen[r.Backend]; !ok {
			v.add(p+".backend", "no backend named %s (have %s)", v.quote(p+".backend", r.Backend), strings.Join(names, ", "))
		}
		if r.BackendBucket != "" && !translate.ValidBucketName(r.BackendBucket) {
			v.add(p+".backend_bucket", "%s is not a valid bucket name", v.quote(p+".backend_bucket", r.BackendBucket))
		}
		if strings.HasPrefix(r.KeyPrefix, "/") || len(r.KeyPrefix) > 512 {
			v.add(p+".key_prefix", "%s must not start with '/' and must be at most 512 bytes", v.quote(p+".key_prefix", r.KeyPrefix))
		}
	}
}

// limits checks one dialect's overrides l, at YAML path p, and the
// effective rules r they give.
func (v *validator) limits(p string, l Limits, r translate.Rules) {
	for _, f := range []struct {
		name string
		s    Size
	}{{"min_part_size", l.MinPartSize}, {"max_part_size", l.MaxPartSize}, {"max_object_size", l.MaxObjectSize}} {
		if f.s < 0 {
			v.add(p+"."+f.name, "must not be negative")
		}
	}
	if n := r.MaxPartNumber; n < 1 || n > 10000 {
		v.add(p+".max_part_number", "%s is out of range, want 1 to 10000", v.quote(p+".max_part_number", strconv.Itoa(n)))
	}
	if r.MinPartSize > r.MaxPartSize {
		field := "min_part_size" // blame the one that was set
		if l.MinPartSize == 0 {
			field = "max_part_size"
		}
		v.add(p+"."+field, "min_part_size %s is larger than max_part_size %s",
			v.quote(p+".min_part_size", Size(r.MinPartSize).String()), v.quote(p+".max_part_size", Size(r.MaxPartSize).String()))
	}
	for i, region := range l.Regions {
		if region == "" || strings.ContainsAny(region, "/ \t") {
			v.add(fmt.Sprintf("%s.regions[%d]", p, i), "%q is not a region name", region)
		}
	}
}

// domains checks a list of virtual-host base domains; seen records where
// each domain was first named, across lists.
func (v *validator) domains(path string, list []string, seen map[string]string) {
	for i, d := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case strings.Contains(d, "://"):
			v.add(p, "%s is a URL, want a host name such as s3.example.com", v.quote(p, d))
		case strings.Contains(d, ":"):
			v.add(p, "%s has a port, want a host name only", v.quote(p, d))
		case net.ParseIP(d) != nil:
			v.add(p, "%s is an IP address, want a host name (buckets are addressed as bucket.<domain>)", v.quote(p, d))
		case !validHostname(d):
			v.add(p, "invalid host name %s", v.quote(p, d))
		default:
			if first, dup := seen[d]; dup {
				v.add(p, "duplicate domain %s (first at %s)", v.quote(p, d), first)
			} else {
				seen[d] = p
			}
		}
	}
}

// migration checks a migrating route r at YAML path p: from and to both,
// each naming a configured backend, instead of backend, backend_bucket and
// key_prefix, and two different places.
func (v *validator) migration(p string, r Route, seen map[string]int, names []string) {
	if r.Backend != "" || r.BackendBucket != "" || r.KeyPrefix != "" {
		v.add(p, "a migrating route names its backends in from and to, not in backend, backend_bucket or key_prefix")
	}
	for _, end := range []struct {
		name string
		e    *RouteEnd
	}{{"from", r.From}, {"to", r.To}} {
		ep := p + "." + end.name
		if end.e == nil {
			v.add(p, "a migrating route needs both from and to (%s is missing)", end.name)
			continue
		}
		if _, ok := seen[end.e.Backend]; !ok {
			v.add(ep+".backend", "no backend named %s (have %s)", v.quote(ep+".backend", end.e.Backend), strings.Join(names, ", "))
		}
		if end.e.Bucket != "" && !translate.ValidBucketName(end.e.Bucket) {
			v.add(ep+".bucket", "%s is not a valid bucket name", v.quote(ep+".bucket", end.e.Bucket))
		}
		if strings.HasPrefix(end.e.KeyPrefix, "/") || len(end.e.KeyPrefix) > 512 {
			v.add(ep+".key_prefix", "%s must not start with '/' and must be at most 512 bytes", v.quote(ep+".key_prefix", end.e.KeyPrefix))
		}
	}
	if r.From != nil && r.To != nil {
		bucket := func(e *RouteEnd) string {
			if e.Bucket == "" {
				return r.Bucket
			}
			return e.Bucket
		}
		if r.From.Backend == r.To.Backend && bucket(r.From) == bucket(r.To) && r.From.KeyPrefix == r.To.KeyPrefix {
			v.add(p+".to", "the destination is the source")
		}
	}
}
