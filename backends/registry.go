// Package backends is the registry of storage providers. Each provider lives
// in its own package (backends/fs, ...), registers itself from init, and
// implements translate.Backend, mapping its native errors to translate codes
// at its own edge.
package backends

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/babelgate/babelgate/translate"
)

// Info describes a provider type.
type Info struct {
	// Type is the name used in config (`type: fs`).
	Type string
	// NewOptions returns a pointer to an empty options struct, with defaults
	// filled in, for the config's `options:` mapping to be decoded into
	// strictly. It must have no side effects.
	NewOptions func() any
	// New opens a backend from decoded options. name is the backend's name
	// in config, for messages.
	New func(ctx context.Context, name string, options any) (translate.Backend, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]Info{}
)

// Register adds a provider type. It panics on a duplicate or incomplete
// Info: those are programming errors.
func Register(info Info) {
	mu.Lock()
	defer mu.Unlock()
	if info.Type == "" || info.NewOptions == nil || info.New == nil {
		panic("backends: incomplete registration for " + info.Type)
	}
	if _, dup := registry[info.Type]; dup {
		panic("backends: duplicate registration of " + info.Type)
	}
	registry[info.Type] = info
}

// Lookup returns the provider registered under typ.
func Lookup(typ string) (Info, error) {
	mu.RLock()
	defer mu.RUnlock()
	info, ok := registry[typ]
	if !ok {
		return Info{}, fmt.Errorf("unknown backend type %q (known: %v)", typ, typesLocked())
	}
	return info, nil
}

// Types lists the registered provider types, sorted.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	return typesLocked()
}

func typesLocked() []string {
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Validator is implemented by options structs that can check themselves
// once decoded, without side effects: what New would refuse, and what would
// make every later call fail (a missing credential, an endpoint without a
// scheme). check-config and serve call it through [ValidateOptions] before
// anything is opened.
type Validator interface {
	Validate() error
}

// OptionError is a problem with one option, for a Validate method to
// return (alone or several joined with errors.Join), so that the caller can
// point at the option's line in the config file.
type OptionError struct {
	// Option is the option's key under options:, such as "endpoint".
	Option string
	Msg    string
}

func (e *OptionError) Error() string { return e.Option + ": " + e.Msg }

// ValidateOptions calls options' Validate method, if it has one.
func ValidateOptions(options any) error {
	if v, ok := options.(Validator); ok {
		return v.Validate()
	}
	return nil
}

// CheckEndpoint returns a problem with a store's endpoint URL, or nil: it
// must be an absolute http or https URL with a host (a bare
// "minio:9000" would be taken for a URL of scheme "minio").
func CheckEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	return &OptionError{Option: "endpoint", Msg: fmt.Sprintf("%q is not an http:// or https:// URL with a host (write the scheme, e.g. https://%s)",
		endpoint, strings.TrimPrefix(strings.TrimPrefix(endpoint, "//"), "/"))}
}
