package storekit

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/babelgate/babelgate/backends"
)

// StoreOptions are the options every S3-like store type takes, inlined
// in each driver's own Options (`yaml:",inline"`), so that they are
// spelled, checked and applied alike.
type StoreOptions struct {
	// Endpoint is the store's URL (https://s3.amazonaws.com,
	// http://127.0.0.1:9000).
	Endpoint string `yaml:"endpoint"`
	// AccessKey and SecretKey are the gateway's credentials on the store;
	// use ${ENV} references in config.
	AccessKey string `yaml:"access_key"`
	SecretKey string `yaml:"secret_key"`
	// PathStyle addresses buckets as /bucket/key instead of bucket.host.
	PathStyle bool `yaml:"path_style"`
	// MinPartSize and MaxPartSize are the store's part rules.
	MinPartSize int64 `yaml:"min_part_size"`
	MaxPartSize int64 `yaml:"max_part_size"`
	// CallOptions bound and retry the store's calls.
	CallOptions `yaml:",inline"`
}

// CallOptions are the options of every store type, S3-like or not
// (backends/azure inlines them too), that bound and retry its calls and
// age its staged uploads.
type CallOptions struct {
	// ConnectTimeout bounds dialing the store; RequestTimeout bounds each
	// call that carries no client body, and the wait for response headers
	// of those that do.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// Retries is how many times a call without a client body is retried
	// after a transient failure (network error, 5xx, throttling).
	Retries int `yaml:"retries"`
	// StagingMaxAge is how long an upload of staged parts may stay
	// incomplete: a reaper removes older ones, with their staged parts,
	// checking every min(1h, StagingMaxAge/2). Zero means the default,
	// DefaultStagingMaxAge (7 days, "168h").
	StagingMaxAge time.Duration `yaml:"staging_max_age"`
}

// DefaultStoreOptions are the defaults shared by store types: 10s to
// connect, 60s per call, 3 retries, staged uploads reaped after 7 days.
func DefaultStoreOptions(minPart, maxPart int64) StoreOptions {
	return StoreOptions{MinPartSize: minPart, MaxPartSize: maxPart, CallOptions: DefaultCallOptions()}
}

// DefaultCallOptions are the shared defaults: 10s to connect, 60s per
// call, 3 retries, staged uploads reaped after 7 days.
func DefaultCallOptions() CallOptions {
	return CallOptions{ConnectTimeout: 10 * time.Second, RequestTimeout: 60 * time.Second, Retries: 3,
		StagingMaxAge: DefaultStagingMaxAge}
}

// Check returns what is wrong with o, as backends.OptionErrors: the
// store's credentials are required (a driver has no other source), the
// endpoint must be an http(s) URL (and given, when endpointRequired), the
// timeouts positive, retries and staging_max_age not negative.
func (o *StoreOptions) Check(endpointRequired bool) error {
	var errs []error
	bad := func(option, msg string) { errs = append(errs, &backends.OptionError{Option: option, Msg: msg}) }
	errs = append(errs, CheckEndpoint(o.Endpoint, endpointRequired))
	if o.AccessKey == "" {
		bad("access_key", "required (with secret_key)")
	}
	if o.SecretKey == "" {
		bad("secret_key", "required (with access_key)")
	}
	return errors.Join(append(errs, o.CallOptions.Check())...)
}

// CheckEndpoint returns what is wrong with a store's endpoint, as a
// backends.OptionError: none when one is required, or not an http(s) URL
// with a host (backends.CheckEndpoint).
func CheckEndpoint(endpoint string, required bool) error {
	if endpoint == "" && required {
		return &backends.OptionError{Option: "endpoint", Msg: "required"}
	}
	if endpoint == "" {
		return nil
	}
	return backends.CheckEndpoint(endpoint)
}

// Check returns what is wrong with o, as backends.OptionErrors: the
// timeouts must be positive, retries and staging_max_age not negative.
func (o *CallOptions) Check() error {
	var errs []error
	bad := func(option, msg string) { errs = append(errs, &backends.OptionError{Option: option, Msg: msg}) }
	if o.ConnectTimeout <= 0 {
		bad("connect_timeout", "must be positive")
	}
	if o.RequestTimeout <= 0 {
		bad("request_timeout", "must be positive")
	}
	if o.Retries < 0 {
		bad("retries", "must not be negative")
	}
	if o.StagingMaxAge < 0 {
		bad("staging_max_age", "must not be negative")
	}
	return errors.Join(errs...)
}

// Transport is the HTTP transport of a store client with o's timeouts.
func (o *CallOptions) Transport() *http.Transport {
	dialer := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment, DialContext: dialer.DialContext,
		MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: o.ConnectTimeout, ResponseHeaderTimeout: o.RequestTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// Kit is the kit's Options from o.
func (o CallOptions) Kit() Options {
	return Options{RequestTimeout: o.RequestTimeout, Retries: o.Retries, StagingMaxAge: o.StagingMaxAge}
}
