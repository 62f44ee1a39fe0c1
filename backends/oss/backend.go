// Package oss is the storekit driver for Alibaba Cloud OSS through
// github.com/aliyun/aliyun-oss-go-sdk. It registers the type "oss". The
// flow (state, staging, annexes, listings, conditions, retries) is
// storekit's; this package only speaks OSS.
//
// Bodies stream from the client to the store: every write declares its
// Content-Length (the SDK is handed an io.LimitedReader, the one reader type
// whose length it takes without buffering), the SDK's own MD5 and CRC
// helpers are off so it never reads a body twice, and the client's
// Content-MD5 is forwarded so the store verifies it too. storekit
// bounds and retries calls without a client body.
package oss

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Options configure an OSS backend (`type: oss` in config): storekit's
// StoreOptions (the endpoint is required: the SDK would take one without a
// scheme for plain http; the gateway wants it written; IP endpoints always
// use path style), and these.
type Options struct {
	storekit.StoreOptions `yaml:",inline"`
	// Region is the store's region without the "oss-" prefix
	// (cn-hangzhou); V4 signatures are scoped to it.
	Region string `yaml:"region"`
	// AuthV4 signs with OSS's V4 signature (OSS4-HMAC-SHA256) instead of
	// V1.
	AuthV4 bool `yaml:"auth_v4"`
}

// DefaultOptions are the defaults for OSS: 100 KiB minimum and 5 GiB
// maximum parts, V1 signatures, virtual-hosted addressing.
func DefaultOptions() *Options {
	return &Options{StoreOptions: storekit.DefaultStoreOptions(100<<10, 5<<30), Region: "cn-hangzhou"}
}

// Validate implements backends.Validator: storekit.StoreOptions.Check with
// the endpoint required, and auth_v4 needs a region.
func (o *Options) Validate() error {
	err := o.Check(true)
	if o.AuthV4 && o.Region == "" {
		err = errors.Join(err, &backends.OptionError{Option: "region", Msg: "required with auth_v4"})
	}
	return err
}

func init() { storekit.Register("oss", DefaultOptions, New) }

// driver is storekit.Driver over an OSS client.
type driver struct {
	client *oss.Client
	opts   Options
}

// New builds the backend of an OSS store; it does not call it. It starts
// the reaper of abandoned staged uploads (see Options.StagingMaxAge),
// which Close stops.
func New(o Options) (*storekit.Backend, error) {
	return storekit.Open(newDriver, o)
}

// newDriver is the driver New builds the backend on.
func newDriver(o Options) (*driver, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("oss backend: %w", err)
	}
	httpClient := &http.Client{Transport: o.Transport(),
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
	return &driver{client: client, opts: o}, nil
}

// Abilities implements storekit.Driver. OSS copies objects and parts
// server-side; it takes x-oss-forbid-overwrite on PutObject,
// CopyObject and CompleteMultipartUpload, evaluated with the write
// (IfAbsent is atomic), and has no If-Match on writes (checked first by
// storekit). It computes and keeps a CRC-64/ECMA of every object itself.
// User metadata is at most 8 KB; parts are Options' sizes, at most 10,000.
// OSS has no website redirect location: storekit keeps it in metadata.
func (d *driver) Abilities() storekit.Abilities {
	cond := storekit.CondAbility{IfAbsent: true}
	return storekit.Abilities{Name: "oss", Copy: true, CopyPart: true,
		CondPut: cond, CondCopy: cond, CondComplete: cond,
		StoreChecksums: []translate.ChecksumAlgorithm{translate.CRC64ECMA}, MaxMetadataSize: 8 << 10,
		MinPartSize: d.opts.MinPartSize, MaxPartSize: d.opts.MaxPartSize, MaxParts: 10000, RedirectInMetadata: true, ExistsWhoeverOwns: true,
		MetadataUpdate: true, MetadataUpdateMaxSize: metadataUpdateMaxSize}
}

// CheckBucket implements storekit.BucketChecker with the SDK's rules of
// OSS bucket names (no dots, unlike S3).
func (d *driver) CheckBucket(name string) error {
	if err := oss.CheckBucketName(name); err != nil {
		return &translate.Error{Code: translate.ErrInvalidBucketName, Bucket: name, Err: err}
	}
	return nil
}

// bucket returns the SDK's handle for a bucket.
func (d *driver) bucket(name string) *oss.Bucket {
	return &oss.Bucket{Client: *d.client, BucketName: name}
}

// decodeXML reads an XML response body into v.
func decodeXML(resp *oss.Response, v any) error {
	defer resp.Body.Close()
	if err := xml.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v); err != nil {
		return translate.Wrap(translate.ErrInternal, err, "oss backend: decoding the store's XML")
	}
	return nil
}

// ListBuckets reads every page; the SDK's Client methods take no
// context, Bucket.Do does.
func (d *driver) ListBuckets(ctx context.Context) ([]translate.BucketInfo, error) {
	var out []translate.BucketInfo
	service := &oss.Bucket{Client: *d.client}
	marker := ""
	for {
		params := map[string]any{"max-keys": "1000"}
		if marker != "" {
			params["marker"] = marker
		}
		resp, err := service.Do("GET", "", params, []oss.Option{oss.WithContext(ctx)}, nil, nil)
		if err != nil {
			return nil, err
		}
		var res oss.ListBucketsResult
		if err := decodeXML(resp, &res); err != nil {
			return nil, err
		}
		for _, bk := range res.Buckets {
			out = append(out, translate.BucketInfo{Name: bk.Name, Created: bk.CreationDate})
		}
		if !res.IsTruncated || res.NextMarker == "" || res.NextMarker <= marker {
			return out, nil
		}
		marker = res.NextMarker
	}
}

// CreateBucket: OSS answers BucketAlreadyExists whoever owns the bucket
// (Abilities: ExistsWhoeverOwns).
func (d *driver) CreateBucket(ctx context.Context, bucket string) error {
	resp, err := d.bucket(bucket).Do("PUT", "", map[string]any{}, []oss.Option{oss.WithContext(ctx)}, nil, nil)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// HeadBucket uses GetBucketInfo, which also gives the creation date.
func (d *driver) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	resp, err := d.bucket(bucket).Do("GET", "", map[string]any{"bucketInfo": nil}, []oss.Option{oss.WithContext(ctx)}, nil, nil)
	if err != nil {
		return translate.BucketInfo{}, err
	}
	var res oss.GetBucketInfoResult
	if err := decodeXML(resp, &res); err != nil {
		return translate.BucketInfo{}, err
	}
	return translate.BucketInfo{Name: bucket, Created: res.BucketInfo.CreationDate}, nil
}

func (d *driver) DeleteBucket(ctx context.Context, bucket string) error {
	resp, err := d.bucket(bucket).Do("DELETE", "", map[string]any{}, []oss.Option{oss.WithContext(ctx)}, nil, nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
