// Package s3 is the backend for any S3-compatible store (AWS S3, MinIO,
// Ceph, OBS's S3 API, ...) through aws-sdk-go-v2. It registers the types
// "s3" and "obs" (the same client with Huawei OBS's defaults).
//
// Bodies stream from the client to the store: every write sets
// Content-Length and signs UNSIGNED-PAYLOAD, so the SDK never needs to seek
// or re-read; the client's Content-MD5 is forwarded so the store verifies
// it too; checksums are sent only when the profile says the store takes
// them. The store's multipart upload is used directly. What S3 has no API
// for (who initiated an upload, the checksum chosen at create) is kept in a
// small state object under the reserved key prefix ".babelgate/" in the
// same bucket; listings hide that prefix and clients cannot write it.
// Store errors are mapped to translate codes here, at the backend's edge.
package s3

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Options configure an S3-compatible backend.
type Options struct {
	// Endpoint is the store's URL (https://s3.amazonaws.com,
	// http://127.0.0.1:9000); empty means AWS's regional endpoint.
	Endpoint string `yaml:"endpoint"`
	Region   string `yaml:"region"`
	// AccessKey and SecretKey are the gateway's credentials on the store;
	// use ${ENV} references in config.
	AccessKey string `yaml:"access_key"`
	SecretKey string `yaml:"secret_key"`
	// PathStyle addresses buckets as /bucket/key instead of bucket.host.
	PathStyle bool `yaml:"path_style"`
	// Checksums reports that the store verifies x-amz-checksum-* headers;
	// when false no checksum header is sent (the gateway still verifies
	// every body itself).
	Checksums bool `yaml:"checksums"`
	// MinPartSize and MaxPartSize are the store's part rules.
	MinPartSize int64 `yaml:"min_part_size"`
	MaxPartSize int64 `yaml:"max_part_size"`
	// ConnectTimeout bounds dialing the store; RequestTimeout bounds each
	// call that carries no client body, and the wait for response headers
	// of those that do.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// Retries is how many times idempotent calls are retried.
	Retries int `yaml:"retries"`
	// StagingMaxAge is how long an upload of staged parts (see staged.go)
	// may stay incomplete: a reaper removes older ones, with their staged
	// parts, checking every min(1h, StagingMaxAge/2). Zero means the
	// default, storekit.DefaultStagingMaxAge (7 days, "168h").
	StagingMaxAge time.Duration `yaml:"staging_max_age"`
}

// DefaultOptions are the defaults for an S3-compatible store.
func DefaultOptions() *Options {
	return &Options{Region: "us-east-1", Checksums: true, MinPartSize: 5 << 20, MaxPartSize: 5 << 30,
		ConnectTimeout: 10 * time.Second, RequestTimeout: 60 * time.Second, Retries: 3,
		StagingMaxAge: storekit.DefaultStagingMaxAge}
}

// Validate implements backends.Validator: the store's credentials are
// required (the backend has no other credential source), the endpoint, if
// set, must be an http(s) URL, the timeouts positive, retries and
// staging_max_age not negative.
func (o *Options) Validate() error {
	var errs []error
	if o.Endpoint != "" {
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
	if o.StagingMaxAge < 0 {
		errs = append(errs, &backends.OptionError{Option: "staging_max_age", Msg: "must not be negative"})
	}
	return errors.Join(errs...)
}

// OBSOptions are the defaults for Huawei OBS through its S3-compatible API:
// path-style off, no x-amz-checksum-* support.
func OBSOptions() *Options {
	o := DefaultOptions()
	o.Checksums = false
	o.Region = "cn-north-4"
	return o
}

func init() {
	for typ, defaults := range map[string]func() *Options{"s3": DefaultOptions, "obs": OBSOptions} {
		backends.Register(backends.Info{
			Type:       typ,
			NewOptions: func() any { return defaults() },
			New: func(ctx context.Context, name string, options any) (translate.Backend, error) {
				return New(*options.(*Options))
			},
		})
	}
}

// Backend is an S3-compatible store. It is safe for concurrent use; Close
// stops its reaper of abandoned staged uploads.
type Backend struct {
	client  *s3.Client
	opts    Options
	sweeper *storekit.Sweeper
	reaper  *storekit.Reaper
}

// New connects to the store; it does not call it. It starts the reaper
// of abandoned staged uploads (see Options.StagingMaxAge), which Close
// stops.
func New(o Options) (*Backend, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("s3 backend: %w", err)
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
	cfg := aws.Config{
		Region:                     o.Region,
		Credentials:                credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, ""),
		HTTPClient:                 &http.Client{Transport: transport},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(s *retry.StandardOptions) { s.MaxAttempts = o.Retries + 1 })
		},
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
	})
	b := &Backend{client: client, opts: o}
	b.sweeper = b.newSweeper()
	b.reaper = storekit.StartReaper("s3", b.sweeper)
	return b, nil
}

// timeout returns a context bounded by the request timeout, for calls
// that carry no client body.
func (b *Backend) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.opts.RequestTimeout)
}

// streaming are the per-call options of writes whose body is the client's
// stream: unsigned payload (no seek, no re-read) and no retries (the
// stream cannot be replayed).
func streaming(o *s3.Options) {
	o.RetryMaxAttempts = 1
	o.APIOptions = append(o.APIOptions, unsignedPayload)
}

// ListBuckets implements translate.Backend.
func (b *Backend) ListBuckets(ctx context.Context) ([]translate.BucketInfo, error) {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	out, err := b.client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return nil, mapError(err, "", "")
	}
	res := make([]translate.BucketInfo, 0, len(out.Buckets))
	for _, bk := range out.Buckets {
		res = append(res, translate.BucketInfo{Name: aws.ToString(bk.Name), Created: aws.ToTime(bk.CreationDate)})
	}
	return res, nil
}

// CreateBucket implements translate.Backend.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	_, err := b.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	return mapError(err, bucket, "")
}

// HeadBucket implements translate.Backend.
func (b *Backend) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	if _, err := b.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return translate.BucketInfo{}, mapError(err, bucket, "")
	}
	// S3 reports a bucket's creation date only in ListBuckets.
	if all, err := b.ListBuckets(ctx); err == nil {
		for _, bk := range all {
			if bk.Name == bucket {
				return bk, nil
			}
		}
	}
	return translate.BucketInfo{Name: bucket}, nil
}

// DeleteBucket implements translate.Backend: it refuses a bucket with
// objects, then aborts the bucket's uploads and removes gateway state.
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	page, err := b.ListObjects(ctx, bucket, translate.ListQuery{MaxKeys: 1})
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 {
		return &translate.Error{Code: translate.ErrBucketNotEmpty, Bucket: bucket, Message: "The bucket you tried to delete is not empty"}
	}
	if err := b.clearState(ctx, bucket); err != nil {
		return err
	}
	ctx, cancel := b.timeout(ctx)
	defer cancel()
	_, err = b.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	return mapError(err, bucket, "")
}

var _ translate.Backend = (*Backend)(nil)

// errf wraps an internal failure with context.
func errf(err error, format string, args ...any) error {
	return translate.Wrap(translate.ErrInternal, err, fmt.Sprintf("s3 backend: "+format, args...))
}
