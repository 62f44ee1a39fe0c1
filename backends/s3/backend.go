// Package s3 is the storekit driver for any S3-compatible store (AWS S3,
// MinIO, versitygw, Ceph, OBS's S3 API, ...) through aws-sdk-go-v2. It
// registers the types "s3" and "obs" (the same client with Huawei OBS's
// defaults). The flow (state, staging, annexes, listings, conditions,
// retries) is storekit's; this package only speaks S3.
//
// Bodies stream from the client to the store: every write sets
// Content-Length and signs UNSIGNED-PAYLOAD, so the SDK never needs to seek
// or re-read; the client's Content-MD5 is forwarded so the store verifies
// it too; checksums are sent only when the profile says the store takes
// them (Options.Checksums). The SDK's own retries are off: storekit
// retries calls without a client body.
package s3

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// Options configure an S3-compatible backend (`type: s3` or `type: obs`):
// storekit's StoreOptions, and these. An empty endpoint means AWS's
// regional endpoint.
type Options struct {
	storekit.StoreOptions `yaml:",inline"`
	Region                string `yaml:"region"`
	// Checksums reports that the store verifies x-amz-checksum-* headers;
	// when false no checksum header is sent (the gateway still verifies
	// every body itself).
	Checksums bool `yaml:"checksums"`
	// ComputeMD5 has the gateway compute every body's MD5 for its ETag.
	// Off (the default), a PutObject or UploadPart passed to the store
	// unchanged takes the store's ETag, which S3 and MinIO compute as the
	// MD5 of the bytes; turn it on for a store whose ETag is not (SSE-KMS,
	// SSE-C).
	ComputeMD5 bool `yaml:"compute_md5"`
}

// DefaultOptions are the defaults for an S3-compatible store: 5 MiB to
// 5 GiB parts, us-east-1, checksums sent.
func DefaultOptions() *Options {
	return &Options{StoreOptions: storekit.DefaultStoreOptions(5<<20, 5<<30), Region: "us-east-1", Checksums: true}
}

// Validate implements backends.Validator (storekit.StoreOptions.Check; the
// endpoint may be empty).
func (o *Options) Validate() error { return o.Check(false) }

// OBSOptions are the defaults for Huawei OBS through its S3-compatible API:
// path-style off, no x-amz-checksum-* support.
func OBSOptions() *Options {
	o := DefaultOptions()
	o.Checksums = false
	o.Region = "cn-north-4"
	return o
}

func init() {
	storekit.Register("s3", DefaultOptions, New)
	storekit.Register("obs", OBSOptions, New)
}

// driver is storekit.Driver over an S3 client.
type driver struct {
	client *s3.Client
	opts   Options
}

// New builds the backend of an S3-compatible store; it does not call it.
// It starts the reaper of abandoned staged uploads (see
// Options.StagingMaxAge), which Close stops. Its AsBackend is a
// translate.PartLocator.
func New(o Options) (*storekit.Backend, error) {
	return storekit.Open(newDriver, o)
}

// newDriver is the driver New builds the backend on.
func newDriver(o Options) (*driver, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("s3 backend: %w", err)
	}
	cfg := aws.Config{
		Region:                     o.Region,
		Credentials:                credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, ""),
		HTTPClient:                 &http.Client{Transport: o.Transport()},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		// storekit retries; the SDK must not retry as well.
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
	})
	return &driver{client: client, opts: o}, nil
}

// Abilities implements storekit.Driver: S3 copies objects and parts
// server-side and evaluates If-None-Match: * and If-Match on
// PutObject and CompleteMultipartUpload. MinIO's CopyObject takes no
// destination condition, so a copy's are checked first by storekit (and
// still sent, for stores that honour them, as AWS S3 does). It keeps the
// x-amz-checksum-* values it is sent when Options.Checksums says it
// verifies them. User metadata is at most 2 KB; parts are Options' sizes,
// at most 10,000. Metadata is updated by a conditioned copy onto itself
// (metadata.go).
func (d *driver) Abilities() storekit.Abilities {
	ab := storekit.Abilities{Name: "s3", Copy: true, CopyPart: true,
		CondPut:      storekit.CondAbility{IfAbsent: true, IfMatch: true},
		CondComplete: storekit.CondAbility{IfAbsent: true, IfMatch: true}, MaxMetadataSize: 2 << 10,
		MinPartSize: d.opts.MinPartSize, MaxPartSize: d.opts.MaxPartSize, MaxParts: 10000, PartRanges: true,
		RedirectInMetadata: true, MD5ETag: !d.opts.ComputeMD5,
		MetadataUpdate: true, MetadataUpdateMaxSize: metadataUpdateMaxSize}
	if d.opts.Checksums {
		ab.Checksums = []translate.ChecksumAlgorithm{translate.CRC32, translate.CRC32C, translate.CRC64NVME, translate.SHA1, translate.SHA256}
	}
	return ab
}

// streaming are the per-call options of writes whose body is a stream:
// unsigned payload (no seek, no re-read).
func streaming(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

func (d *driver) ListBuckets(ctx context.Context) ([]translate.BucketInfo, error) {
	out, err := d.client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return nil, err
	}
	res := make([]translate.BucketInfo, 0, len(out.Buckets))
	for _, bk := range out.Buckets {
		res = append(res, translate.BucketInfo{Name: aws.ToString(bk.Name), Created: aws.ToTime(bk.CreationDate)})
	}
	return res, nil
}

func (d *driver) CreateBucket(ctx context.Context, bucket string) error {
	_, err := d.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	return err
}

// HeadBucket reports the creation date from ListBuckets: S3 gives it
// nowhere else.
func (d *driver) HeadBucket(ctx context.Context, bucket string) (translate.BucketInfo, error) {
	if _, err := d.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return translate.BucketInfo{}, err
	}
	if all, err := d.ListBuckets(ctx); err == nil {
		for _, bk := range all {
			if bk.Name == bucket {
				return bk, nil
			}
		}
	}
	return translate.BucketInfo{Name: bucket}, nil
}

func (d *driver) DeleteBucket(ctx context.Context, bucket string) error {
	_, err := d.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	return err
}

// List pages by start-after rather than by continuation token, since
// stores differ in how their tokens treat common prefixes (MinIO repeats
// them).
func (d *driver) List(ctx context.Context, bucket string, req storekit.ListRequest) (storekit.ListResult, error) {
	out, err := d.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(int32(req.Max)),
		Prefix: storekit.NonEmpty(req.Prefix), Delimiter: storekit.NonEmpty(req.Delimiter), StartAfter: storekit.NonEmpty(req.StartAfter)})
	if err != nil {
		return storekit.ListResult{}, err
	}
	res := storekit.ListResult{Truncated: aws.ToBool(out.IsTruncated), Objects: make([]translate.ObjectInfo, len(out.Contents))}
	for i, o := range out.Contents {
		res.Objects[i] = translate.ObjectInfo{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size),
			ETag: unquote(o.ETag), LastModified: aws.ToTime(o.LastModified)}
	}
	for _, p := range out.CommonPrefixes {
		res.Prefixes = append(res.Prefixes, aws.ToString(p.Prefix))
	}
	return res, nil
}

var _ storekit.PartRanger = (*driver)(nil)
