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
	// NewOptions returns the dialect's config section with its defaults
	// set; the section is decoded strictly into it (line-numbered errors).
	// Nil when the dialect has no section of its own.
	NewOptions func() any
	// Build returns the dialect from the shared environment and its
	// decoded options (what NewOptions returned). It validates the
	// options; an error names what is wrong.
	Build func(env Env, opts any) (Dialect, error)
	// Rows are the dialect's detection rows; each row's Order places it
	// among the built-in rows (see NewDetector).
	Rows []DetectRow
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
}

var (
	registryMu sync.Mutex
	registry   = map[string]Plugin{}
)

// Register adds a dialect. It panics on a duplicate or built-in name, or a
// plugin without Build: registration happens at init, where a mistake is a
// programming error.
func Register(p Plugin) {
	registryMu.Lock()
	defer registryMu.Unlock()
	switch {
	case p.Name == "" || p.Build == nil:
		panic("dialects: Register needs a Name and Build")
	case p.Name == S3 || p.Name == OSS || p.Name == OBS:
		panic(fmt.Sprintf("dialects: %q is a built-in dialect", p.Name))
	}
	if _, dup := registry[p.Name]; dup {
		panic(fmt.Sprintf("dialects: %q registered twice", p.Name))
	}
	registry[p.Name] = p
}

// Registered returns the registered dialects, by name.
func Registered() []Plugin {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := make([]Plugin, 0, len(registry))
	for _, p := range registry {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
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
