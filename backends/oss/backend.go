// Package oss is the backend for Alibaba Cloud OSS through
// github.com/aliyun/aliyun-oss-go-sdk. It registers the type "oss".
//
// Bodies stream from the client to the store: every write declares its
// Content-Length (the SDK is handed an io.LimitedReader, the one reader type
// whose length it takes without buffering), the SDK's own MD5 and CRC
// helpers are off so it never reads a body twice, and the client's
// Content-MD5 is forwarded so the store verifies it too. Streamed writes are
// never retried (a stream cannot be replayed); calls without a client body
// are retried on transient failures. The store's multipart upload is used
// directly. What OSS has no API for (who initiated an upload, the checksum
// chosen at create, the checksums of each part) is kept in small objects
// under the reserved key prefix ".babelgate/" in the same bucket; listings
// hide that prefix and clients cannot write it. Store errors are mapped to
// translate codes here, at the backend's edge.
package oss

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Options configure an OSS backend (`type: oss` in config).
type Options struct {
	// Endpoint is the store's URL (https://oss-cn-hangzhou.aliyuncs.com,
	// http://127.0.0.1:9000). Required.
	Endpoint string `yaml:"endpoint"`
	// Region is the store's region without the "oss-" prefix
	// (cn-hangzhou); V4 signatures are scoped to it.
	Region string `yaml:"region"`
	// AccessKey and SecretKey are the gateway's credentials on the store;
	// use ${ENV} references in config.
	AccessKey string `yaml:"access_key"`
	SecretKey string `yaml:"secret_key"`
	// PathStyle addresses buckets as /bucket/key instead of bucket.host
	// (the SDK's ForcePathStyle). IP endpoints always use path style.
	PathStyle bool `yaml:"path_style"`
	// MinPartSize and MaxPartSize are the store's part rules.
	MinPartSize int64 `yaml:"min_part_size"`
	MaxPartSize int64 `yaml:"max_part_size"`
	// ConnectTimeout bounds dialing the store; RequestTimeout bounds each
	// call that carries no client body, and the wait for response headers
	// of those that do.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// Retries is how many times idempotent calls are retried after a
	// transient failure (network error, 5xx, throttling).
	Retries int `yaml:"retries"`
	// AuthV4 signs with OSS's V4 signature (OSS4-HMAC-SHA256) instead of
	// V1.
	AuthV4 bool `yaml:"auth_v4"`
	// StagingMaxAge is how long an upload of staged parts (see staged.go)
	// may stay incomplete: a reaper removes older ones, with their staged
	// parts, checking every min(1h, StagingMaxAge/2). Zero means the
	// default, storekit.DefaultStagingMaxAge (7 days, "168h").
	StagingMaxAge time.Duration `yaml:"staging_max_age"`
}

// DefaultOptions are the defaults for OSS: 100 KiB minimum and 5 GiB
// maximum parts, V1 signatures, virtual-hosted addressing, staged uploads
// reaped after 7 days.
func DefaultOptions() *Options {
	return &Options{Region: "cn-hangzhou", MinPartSize: 100 << 10, MaxPartSize: 5 << 30,
		ConnectTimeout: 10 * time.Second, RequestTimeout: 60 * time.Second, Retries: 3,
		StagingMaxAge: storekit.DefaultStagingMaxAge}
}

// Validate implements backends.Validator: an http(s) endpoint and the
// store's credentials are required (the backend has no other credential
// source), the timeouts positive, retries and staging_max_age not negative,
// and auth_v4 needs a region. The SDK would take an endpoint without a
// scheme for plain http; the gateway wants it written.
func (o *Options) Validate() error {
	var errs []error
	if o.Endpoint == "" {
		errs = append(errs, &backends.OptionError{Option: "endpoint", Msg: "required"})
	} else {
		errs = append(errs, backends.CheckEndpoint(o.Endpoint))
	}
	if o.AccessKey == "" {
		errs = append(errs, &backends.OptionError{Option: "access_key", Msg: "required (with secret_key)"})
	}
	if o.SecretKey == "" {
		errs = append(errs, &backends.OptionError{Option: "secret_key", Msg: "required (with access_key)"})
	}
	if o.ConnectTimeout <= 0 {
		errs = append(errs, &backends.OptionError{Option: "connect_timeout", Msg: "must be positive"})
	}
	if o.RequestTimeout <= 0 {
		errs = append(errs, &backends.OptionError{Option: "request_timeout", Msg: "must be positive"})
	}
	if o.Retries < 0 {
		errs = append(errs, &backends.OptionError{Option: "retries", Msg: "must not be negative"})
	}
	if o.AuthV4 && o.Region == "" {
		errs = append(errs, &backends.OptionError{Option: "region", Msg: "required with auth_v4"})
	}
	if o.StagingMaxAge < 0 {
		errs = append(errs, &backends.OptionError{Option: "staging_max_age", Msg: "must not be negative"})
	}
	return errors.Join(errs...)
}

func init() {
	backends.Register(backends.Info{
		Type:       "oss",
		NewOptions: func() any { return DefaultOptions() },
		New: func(_ context.Context, name string, options any) (translate.Backend, error) {
			o, ok := options.(*Options)
			if !ok || o == nil {
				return nil, fmt.Errorf("oss backend %q: options are %T, want *oss.Options", name, options)
			}
			b, err := New(*o)
			if err != nil {
				return nil, fmt.Errorf("backend %q: %w", name, err)
			}
			return b, nil
		},
	})
}

// Backend is an OSS store. It is safe for concurrent use; Close stops its
// reaper of abandoned staged uploads.
type Backend struct {
	client  *oss.Client
	opts    Options
	sweeper *storekit.Sweeper
	reaper  *storekit.Reaper
}

var _ translate.Backend = (*Backend)(nil)

// New builds a client for the store; it does not call it. It starts the
// reaper of abandoned staged uploads (see Options.StagingMaxAge), which
// Close stops.
func New(o Options) (*Backend, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("oss backend: %w", err)
	}
	if o.StagingMaxAge == 0 {
		o.StagingMaxAge = storekit.DefaultStagingMaxAge
	}
	dialer := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment, DialContext: dialer.DialContext,
		MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: o.ConnectTimeout, ResponseHeaderTimeout: o.RequestTimeout,
		ExpectContinueTimeout: time.Second,
	}
	httpClient := &http.Client{Transport: transport,
		// OSS answers with redirects only for misaddressed buckets; follow
		// none, as the SDK does by default.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	opts := []oss.ClientOption{
		oss.HTTPClient(httpClient),
		oss.ForcePathStyle(o.PathStyle),
		// The SDK's MD5 helper buffers bodies in memory or a temp file, and
		// its CRC check fails against stores that omit the CRC header; the
		// gateway verifies every body itself and forwards Content-MD5.
		oss.EnableMD5(false),
		oss.EnableCRC(false),
		// Keys starting with '?' are valid; the SDK escapes them.
		oss.VerifyObjectStrict(false),
	}
	if o.AuthV4 {
		opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(o.Region))
	}
	client, err := oss.New(o.Endpoint, o.AccessKey, o.SecretKey, opts...)
	if err != nil {
		return nil, fmt.Errorf("oss backend: %w", err)
	}
	b := &Backend{client: client, opts: o}
	b.sweeper = b.newSweeper()
	b.reaper = storekit.StartReaper("oss", b.sweeper)
	return b, nil
}

// timeout returns a context bounded by the request timeout, for calls
// that carry no client body.
func (b *Backend) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.opts.RequestTimeout)
}

// retry runs an idempotent call (one whose body, if any, is in memory),
// each attempt bounded by the request timeout, retrying transient
// failures (ErrServiceUnavailable, ErrSlowDown) with exponential backoff.
// fn must return an error already mapped by mapError.
func (b *Backend) retry(ctx context.Context, fn func(ctx context.Context) error) error {
	delay := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		cctx, cancel := b.timeout(ctx)
		err := fn(cctx)
		cancel()
		if c := translate.CodeOf(err); attempt >= b.opts.Retries || (c != translate.ErrServiceUnavailable && c != translate.ErrSlowDown) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// bucket returns the SDK's handle for a bucket. A name OSS cannot have is
// ErrNoSuchBucket (there is no such bucket), or ErrInvalidBucketName when
// creating.
func (b *Backend) bucket(name string, creating bool) (*oss.Bucket, error) {
	if err := oss.CheckBucketName(name); err != nil {
		code := translate.ErrNoSuchBucket
		if creating {
			code = translate.ErrInvalidBucketName
		}
		return nil, &translate.Error{Code: code, Bucket: name, Err: err}
	}
	return &oss.Bucket{Client: *b.client, BucketName: name}, nil
}

// service returns a handle for service-level calls (no bucket); the SDK's
// Client methods take no context, Bucket.Do does.
func (b *Backend) service() *oss.Bucket { return &oss.Bucket{Client: *b.client} }

// decodeXML reads an XML response body into v.
func decodeXML(resp *oss.Response, v any) error {
	defer resp.Body.Close()
	if err := xml.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v); err != nil {
		return errf(err, "decoding the store's XML")
	}
	return nil
}

// ListBuckets implements translate.Backend.
func (b *Backend) ListBuckets(ctx context.Context) ([]translate.BucketInfo, error) {
	var out []translate.BucketInfo
	marker := ""
	for {
		var res oss.ListBucketsResult
		err := b.retry(ctx, func(ctx context.Context) error {
			params := map[string]any{"max-keys": "1000"}
			if marker != "" {
				params["marker"] = marker
			}
			resp, err := b.service().Do("GET", "", params, []oss.Option{oss.WithContext(ctx)}, nil, nil)
			if err != nil {
				return mapError(err, "", "")
			}
			res = oss.ListBucketsResult{}
			return decodeXML(resp, &res)
		})
		if err != nil {
			return nil, err
		}
		for _, bk := range res.Buckets {
			out = append(out, translate.BucketInfo{Name: bk.Name, Created: bk.CreationDate})
		}
		if !res.IsTruncated || res.NextMarker == "" || res.NextMarker <= marker {
			break
		}
		marker = res.NextMarker
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// CreateBucket implements translate.Backend. OSS answers
// BucketAlreadyExists whoever owns the bucket; the gateway asks the store
// whether its own credential can read it to tell
// ErrBucketAlreadyOwnedByYou from ErrBucketAlreadyExists. Not retried: a
// retry after a lost success would report the bucket as existing.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	bk, err := b.bucket(bucket, true)
	if err != nil {
		return err
	}
	cctx, cancel := b.timeout(ctx)
	defer cancel()
	resp, err := bk.Do("PUT", "", map[string]any{}, []oss.Option{oss.WithContext(cctx)}, nil, nil)
	if err == nil {
		resp.Body.Close()
		return nil
	}
	err = mapError(err, bucket, "")
	if translate.CodeOf(err) == translate.ErrBucketAlreadyExists {
		if _, herr := b.HeadBucket(ctx, bucket); herr == nil {
			return &translate.Error{Code: translate.ErrBucketAlreadyOwnedByYou, Bucket: bucket, Err: err}
		}
	}
	return err
}

// HeadBucket implements translate.Backend with GetBucketInfo, which also
// gives the creation date.
func (b *Backend) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return translate.BucketInfo{}, err
	}
	var res oss.GetBucketInfoResult
	err = b.retry(ctx, func(ctx context.Context) error {
		resp, err := bk.Do("GET", "", map[string]any{"bucketInfo": nil}, []oss.Option{oss.WithContext(ctx)}, nil, nil)
		if err != nil {
			return mapError(err, bucket, "")
		}
		res = oss.GetBucketInfoResult{}
		return decodeXML(resp, &res)
	})
	if err != nil {
		return translate.BucketInfo{}, err
	}
	return translate.BucketInfo{Name: bucket, Created: res.BucketInfo.CreationDate}, nil
}

// DeleteBucket implements translate.Backend: it refuses a bucket with
// objects, then aborts the bucket's uploads and removes gateway state
// (OSS refuses to delete a bucket that still holds either).
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	page, err := b.ListObjects(ctx, bucket, translate.ListQuery{MaxKeys: 1})
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 || len(page.CommonPrefixes) > 0 {
		return &translate.Error{Code: translate.ErrBucketNotEmpty, Bucket: bucket, Message: "The bucket you tried to delete is not empty"}
	}
	if err := b.clearState(ctx, bucket); err != nil {
		return err
	}
	bk, err := b.bucket(bucket, false)
	if err != nil {
		return err
	}
	// Not retried: a retry after a lost success would say NoSuchBucket.
	cctx, cancel := b.timeout(ctx)
	defer cancel()
	resp, err := bk.Do("DELETE", "", map[string]any{}, []oss.Option{oss.WithContext(cctx)}, nil, nil)
	if err != nil {
		return mapError(err, bucket, "")
	}
	resp.Body.Close()
	return nil
}

// errf wraps an internal failure with context.
func errf(err error, format string, args ...any) error {
	return translate.Wrap(translate.ErrInternal, err, fmt.Sprintf("oss backend: "+format, args...))
}
