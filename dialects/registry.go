package dialects

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// Plugin is a dialect package's registration: everything the gateway needs
// to detect, configure and build the dialect. A dialect package calls
// [Register] from its init function; cmd/babelgate builds every registered
// dialect in a loop, so adding a dialect touches no other dialect and no
// shared table.
type Plugin struct {
	// Name is the dialect's short name, also its section under
	// "dialects:" in the config file.
	Name string
	// Order places the dialect among the registered ones: [Registered]
	// lists them by Order, then Name, and config checks their sections
	// in that order (a domain named twice is blamed on the later one).
	Order int
	// Rules, when set, are the dialect's documented limits and make its
	// config section the standard limits section (config.Limits:
	// min_part_size, max_part_size, max_part_number, max_object_size,
	// domains, regions), decoded and checked by config against these
	// rules. The effective rules reach Build as Env.Rules. A dialect with
	// Rules has no NewOptions.
	Rules *translate.Rules
	// NewOptions returns the dialect's config section with its defaults
	// set; the section is decoded strictly into it (line-numbered errors).
	// Nil when the dialect has no section of its own.
	NewOptions func() any
	// Build returns the dialect from the shared environment and its
	// decoded options (what NewOptions returned). It validates the
	// options; an error names what is wrong.
	Build func(env Env, opts any) (Dialect, error)
	// Rows are the dialect's detection rows; each row's Order places it
	// among every dialect's rows (see NewDetector). Their Dialect is left
	// nil: NewDetector sets it to the built dialect.
	Rows []DetectRow
	// DomainRowOrder, when not 0, adds a row at that Order recognising a
	// request whose Host is under one of the dialect's own domains
	// (DetectConfig.Domains).
	DomainRowOrder int
	// Fallback marks the dialect that serves what no row recognises (S3).
	// At most one registered dialect is the fallback.
	Fallback bool
	// AWSMode marks a dialect whose SDKs can also sign the AWS way (OBS):
	// such requests are served by the dialect of the AWS-signature row,
	// which learns this dialect's domains and regions (Env.AWSModes) to
	// check their credential scopes.
	AWSMode bool
}

// AWSMode is one AWS-mode dialect's addressing, as the dialect serving
// AWS-signed requests sees it.
type AWSMode struct {
	// Dialect is the AWS-mode dialect's name.
	Dialect string
	// Domains are its virtual-host domains: a request under one is one of
	// its clients signing the AWS way.
	Domains []string
	// Regions are the regions such a client's credential scope may name;
	// empty means any.
	Regions []string
}

// Env is what every front dialect is built from.
type Env struct {
	Engine      *translate.Engine
	Credentials Credentials
	// MaxSkew bounds clock skew for signed requests.
	MaxSkew time.Duration
	// CompleteKeepAlive is how a long Complete keeps its connection alive.
	CompleteKeepAlive *KeepAlive
	// UploadIDSecret is the config's server.upload_id_secret, for dialects
	// that seal identifiers of their own.
	UploadIDSecret []byte
	// Rules are the dialect's rules with its section's overrides applied
	// (set for a dialect registered with Rules).
	Rules translate.Rules
	// Domains are the dialect's own virtual-host domains (its section's
	// domains; the fallback dialect's also include server.domains), and
	// Regions its section's regions.
	Domains, Regions []string
	// AWSModes are the registered AWS-mode dialects' domains and regions
	// (see Plugin.AWSMode).
	AWSModes []AWSMode
}

var (
	registryMu sync.Mutex
	registry   = map[string]Plugin{}
)

// Register adds a dialect. It panics on a duplicate name, a second
// fallback, a plugin without Name or Build, or one with both Rules and
// NewOptions: registration happens at init, where a mistake is a
// programming error.
func Register(p Plugin) {
	registryMu.Lock()
	defer registryMu.Unlock()
	switch {
	case p.Name == "" || p.Build == nil:
		panic("dialects: Register needs a Name and Build")
	case p.Rules != nil && p.NewOptions != nil:
		panic(fmt.Sprintf("dialects: %q has both Rules and NewOptions", p.Name))
	}
	if _, dup := registry[p.Name]; dup {
		panic(fmt.Sprintf("dialects: %q registered twice", p.Name))
	}
	for _, q := range registry {
		if p.Fallback && q.Fallback {
			panic(fmt.Sprintf("dialects: %q and %q are both the fallback", q.Name, p.Name))
		}
	}
	registry[p.Name] = p
}

// Registered returns the registered dialects, by Order, then Name.
func Registered() []Plugin {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]Plugin, 0, len(registry))
	for _, p := range registry {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Lookup returns the registered dialect called name.
func Lookup(name string) (Plugin, bool) {
	registryMu.Lock()
	defer registryMu.Unlock()
	p, ok := registry[name]
	return p, ok
}

// OptionsChecker is implemented by a dialect's options (what
// Plugin.NewOptions returns) that validate themselves after decoding: Check
// names the offending field (its YAML key) and the problem, so the config
// error carries the field's line.
type OptionsChecker interface {
	Check() (field string, err error)
}

// Addresser is implemented by a dialect whose paths are not
// "/bucket/key" (Glacier's "/{account}/vaults/{vault}/..."): the pipeline
// asks it, instead of the shared Addressing, for the request's bucket and
// key once the request was detected as its own.
type Addresser interface {
	Address(r *http.Request) (bucket, key string)
}
