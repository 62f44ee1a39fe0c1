package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// Workload shapes (issue 11).
const (
	mpuObject  = 64 << 20 // multipart object size
	mpuPart    = 16 << 20 // its part size; all 4 parts are in flight at once
	smallPut   = 1 << 20  // the 1 MiB PUT
	putWorkers = 16       // its concurrency
	getObject  = 16 << 20 // the 16 MiB GET
	getWorkers = 4        // its concurrency
	tinyObject = 4 << 10  // the object of the latency GETs and HEADs
	ossPart    = 100 << 10
	ossWorkers = 4
	rssParts   = 64 // UploadParts of mpuPart bytes all in flight for the peak-RSS target
)

// workload is one measured kind of traffic.
type workload struct {
	title   string
	latency bool     // measured per request: CPU per operation, not per GiB
	ossOnly bool     // needs an OSS front on MinIO (babelgate → MinIO)
	only    []string // runs on these configurations only, when set
	run     func(*clients, context.Context, *config, options) (*sample, error)
}

// workloadKeys lists the workloads in their running and printing order.
func workloadKeys() []string {
	return []string{"mpu-unsigned", "mpu-signed", "put-1m", "get-16m", "head", "get-4k", "oss-100k", "parts-64x16m"}
}

var workloads = map[string]workload{
	"mpu-unsigned": {title: "64 MiB multipart PUT, 16 MiB parts ×4 in flight, UNSIGNED-PAYLOAD",
		run: func(cl *clients, ctx context.Context, c *config, o options) (*sample, error) {
			return cl.multipart(ctx, c, true, o.mib)
		}},
	"mpu-signed": {title: "64 MiB multipart PUT, 16 MiB parts ×4 in flight, signed payload (SHA-256)",
		run: func(cl *clients, ctx context.Context, c *config, o options) (*sample, error) {
			return cl.multipart(ctx, c, false, o.mib)
		}},
	"put-1m":  {title: "1 MiB PutObject, 16 in flight, UNSIGNED-PAYLOAD", run: (*clients).put1M},
	"get-16m": {title: "16 MiB GetObject, 4 in flight", run: (*clients).get16M},
	"head":    {title: "HeadObject (4 KiB object), one at a time", latency: true, run: (*clients).head},
	"get-4k":  {title: "4 KiB GetObject, one at a time", latency: true, run: (*clients).get4K},
	"oss-100k": {title: "OSS multipart, 100 KiB parts ×4 in flight (aliyun-oss-go-sdk), re-chunked onto MinIO", ossOnly: true,
		run: (*clients).oss100K},
	"parts-64x16m": {title: "64 UploadParts of 16 MiB all in flight, UNSIGNED-PAYLOAD, then Abort (peak RSS target: ≤ 100 MiB)",
		only: []string{"gw-s3", "gw-fs", "gw-s3-base", "gw-fs-base"}, run: (*clients).parts64},
}

// clients holds the load generator's HTTP client and payload.
type clients struct {
	http *http.Client
	data []byte // random bytes, the payload of every upload
	s3   map[string]*s3.Client
}

func newClients() *clients {
	data := make([]byte, mpuObject)
	r := rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h'})
	r.Read(data)
	return &clients{
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}},
		data: data,
		s3:   map[string]*s3.Client{},
	}
}

// client returns c's S3 client: aws-sdk-go-v2 at its defaults (which over
// plain HTTP sign the payload's SHA-256 and send a CRC32 checksum header),
// path style, no retries (a failure fails the run).
func (cl *clients) client(c *config) *s3.Client {
	if s, ok := cl.s3[c.key]; ok {
		return s
	}
	s := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(c.front.endpoint()), UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, nil
		}),
		HTTPClient: cl.http, RetryMaxAttempts: 1,
		DisableLogOutputChecksumValidationSkipped: true,
	})
	cl.s3[c.key] = s
	return s
}

// unsignedPayload is x-amz-content-sha256's value for a payload not signed.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// unsigned makes an operation send x-amz-content-sha256: UNSIGNED-PAYLOAD
// instead of the payload's SHA-256. The SDK's own option for it
// (SwapComputePayloadSHA256ForUnsignedPayloadMiddleware) is not enough for
// an operation that carries a checksum over plain HTTP: the flexible
// checksum middleware (service/internal/checksum,
// middleware_compute_input_checksum.go) then hashes the payload itself,
// with the checksum, unless a payload hash is already set, so the hash is
// set to UNSIGNED-PAYLOAD first (Build step), as an SDK over TLS would not
// sign it either.
func unsigned(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware,
		func(st *middleware.Stack) error {
			return st.Build.Add(middleware.BuildMiddlewareFunc("bench.UnsignedPayload",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					return next.HandleBuild(v4.SetPayloadHash(ctx, unsignedPayload), in)
				}), middleware.Before)
		})
}

func payloadMode(unsignedPayload bool) []func(*s3.Options) {
	if unsignedPayload {
		return []func(*s3.Options){unsigned}
	}
	return nil
}

// setup creates c's bucket and the objects the GET and HEAD workloads read.
func (cl *clients) setup(ctx context.Context, c *config) error {
	s := cl.client(c)
	if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &c.bucket}); err != nil {
		return fmt.Errorf("CreateBucket: %w", err)
	}
	for key, size := range map[string]int{"get16": getObject, "tiny": tinyObject} {
		_, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: &c.bucket, Key: aws.String(key),
			Body: bytes.NewReader(cl.data[:size]), ContentLength: aws.Int64(int64(size))})
		if err != nil {
			return fmt.Errorf("PutObject %s: %w", key, err)
		}
	}
	return nil
}

// checkPayloadModes proves on the wire that the signed and unsigned modes
// send what they claim for each request shape the workloads send (a
// PutObject, an UploadPart with a CRC32 checksum), with each request's
// x-amz-content-sha256 captured.
func (cl *clients) checkPayloadModes(ctx context.Context, c *config) error {
	var seen []string
	capture := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPut {
			seen = append(seen, r.Header.Get("X-Amz-Content-Sha256"))
		}
		return cl.http.Transport.RoundTrip(r)
	})}
	s := cl.client(c)
	bucket := c.bucket + "-probe"
	if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		return fmt.Errorf("probe: CreateBucket: %w", err)
	}
	up, err := s.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("probe-mpu"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		return fmt.Errorf("probe: CreateMultipartUpload: %w", err)
	}
	for _, u := range []bool{false, true} {
		opts := append(payloadMode(u), func(o *s3.Options) { o.HTTPClient = capture })
		_, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("probe"),
			Body: bytes.NewReader(cl.data[:1024]), ContentLength: aws.Int64(1024)}, opts...)
		if err != nil {
			return fmt.Errorf("probe: PutObject: %w", err)
		}
		_, err = s.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("probe-mpu"), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			Body: bytes.NewReader(cl.data[:1024]), ContentLength: aws.Int64(1024)}, opts...)
		if err != nil {
			return fmt.Errorf("probe: UploadPart: %w", err)
		}
	}
	if _, err := s.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: aws.String("probe-mpu"), UploadId: up.UploadId}); err != nil {
		return fmt.Errorf("probe: AbortMultipartUpload: %w", err)
	}
	if err := checkSeen(seen); err != nil {
		return fmt.Errorf("payload modes: %w", err)
	}
	return nil
}

// checkSeen checks the x-amz-content-sha256 values checkPayloadModes
// captured: a PutObject and an UploadPart signed (hex SHA-256), then the
// same two unsigned.
func checkSeen(seen []string) error {
	if len(seen) != 4 || len(seen[0]) != 64 || len(seen[1]) != 64 || seen[2] != unsignedPayload || seen[3] != unsignedPayload {
		return fmt.Errorf("x-amz-content-sha256 %q, want [<sha256 hex> <sha256 hex> UNSIGNED-PAYLOAD UNSIGNED-PAYLOAD]", seen)
	}
	return nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// multipart uploads mib MiB (at least one object) as 64 MiB objects in
// 16 MiB parts, all four in flight, with CRC32 part checksums as the SDK's
// transfer manager sends them. One latency per object.
func (cl *clients) multipart(ctx context.Context, c *config, unsignedPayload bool, mib int) (*sample, error) {
	s := cl.client(c)
	n := max(1, (mib<<20)/mpuObject)
	out := &sample{}
	for i := range n {
		key := fmt.Sprintf("mpu-%d", i)
		start := time.Now()
		mu, err := s.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &c.bucket, Key: &key,
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			return nil, fmt.Errorf("CreateMultipartUpload: %w", err)
		}
		parts := make([]types.CompletedPart, mpuObject/mpuPart)
		errs := make([]error, len(parts))
		var wg sync.WaitGroup
		for p := range parts {
			wg.Go(func() {
				num := int32(p + 1)
				r, err := s.UploadPart(ctx, &s3.UploadPartInput{Bucket: &c.bucket, Key: &key, UploadId: mu.UploadId,
					PartNumber: &num, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
					Body: bytes.NewReader(cl.data[p*mpuPart : (p+1)*mpuPart]), ContentLength: aws.Int64(mpuPart)},
					payloadMode(unsignedPayload)...)
				if err != nil {
					errs[p] = fmt.Errorf("UploadPart %d: %w", num, err)
					return
				}
				parts[p] = types.CompletedPart{PartNumber: &num, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		_, err = s.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &c.bucket, Key: &key,
			UploadId: mu.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		if err != nil {
			return nil, fmt.Errorf("CompleteMultipartUpload: %w", err)
		}
		out.lats = append(out.lats, time.Since(start))
		out.bytes += mpuObject
		out.ops++
	}
	return out, nil
}

// parallel runs op(i) for i in [0, n) on workers goroutines and collects
// each call's latency; the first error stops the rest.
func parallel(ctx context.Context, n, workers int, op func(ctx context.Context, i int) (int64, error)) (*sample, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	out := &sample{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				start := time.Now()
				nb, err := op(ctx, i)
				if err != nil {
					cancel(err)
					return
				}
				d := time.Since(start)
				mu.Lock()
				out.lats = append(out.lats, d)
				out.bytes += nb
				out.ops++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

func (cl *clients) put1M(ctx context.Context, c *config, o options) (*sample, error) {
	s := cl.client(c)
	return parallel(ctx, max(1, o.mib), putWorkers, func(ctx context.Context, i int) (int64, error) {
		off := (i * smallPut) % (len(cl.data) - smallPut)
		_, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: &c.bucket, Key: aws.String(fmt.Sprintf("put1m-%d", i)),
			Body: bytes.NewReader(cl.data[off : off+smallPut]), ContentLength: aws.Int64(smallPut)}, unsigned)
		if err != nil {
			return 0, fmt.Errorf("PutObject: %w", err)
		}
		return smallPut, nil
	})
}

// get reads key and checks its length.
func get(ctx context.Context, s *s3.Client, bucket, key string, size int64, buf []byte) error {
	r, err := s.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("GetObject: %w", err)
	}
	defer r.Body.Close()
	n, err := io.CopyBuffer(io.Discard, r.Body, buf)
	if err != nil {
		return fmt.Errorf("GetObject body: %w", err)
	}
	if n != size {
		return fmt.Errorf("GetObject: %d bytes, want %d", n, size)
	}
	return nil
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (cl *clients) get16M(ctx context.Context, c *config, o options) (*sample, error) {
	s := cl.client(c)
	return parallel(ctx, max(1, (o.mib<<20)/getObject), getWorkers, func(ctx context.Context, _ int) (int64, error) {
		buf := copyBufs.Get().(*[]byte)
		defer copyBufs.Put(buf)
		return getObject, get(ctx, s, c.bucket, "get16", getObject, *buf)
	})
}

func (cl *clients) get4K(ctx context.Context, c *config, o options) (*sample, error) {
	s := cl.client(c)
	buf := make([]byte, 32<<10)
	return parallel(ctx, o.ops, 1, func(ctx context.Context, _ int) (int64, error) {
		return tinyObject, get(ctx, s, c.bucket, "tiny", tinyObject, buf)
	})
}

func (cl *clients) head(ctx context.Context, c *config, o options) (*sample, error) {
	s := cl.client(c)
	return parallel(ctx, o.ops, 1, func(ctx context.Context, _ int) (int64, error) {
		r, err := s.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &c.bucket, Key: aws.String("tiny")})
		if err != nil {
			return 0, fmt.Errorf("HeadObject: %w", err)
		}
		if aws.ToInt64(r.ContentLength) != tinyObject {
			return 0, fmt.Errorf("HeadObject: Content-Length %d", aws.ToInt64(r.ContentLength))
		}
		return 0, nil
	})
}

// oss100K uploads ossMiB MiB through the OSS dialect in 100 KiB parts (the
// SDK computes and checks CRC-64 as at its defaults) and completes it; the
// gateway stages the parts and assembles MinIO-sized parts at Complete,
// which is inside the measured window. One latency per part.
func (cl *clients) oss100K(ctx context.Context, c *config, o options) (*sample, error) {
	client, err := alioss.New(c.front.endpoint(), accessKey, secretKey, alioss.HTTPClient(cl.http))
	if err != nil {
		return nil, err
	}
	b, err := client.Bucket(c.bucket)
	if err != nil {
		return nil, err
	}
	total := min(o.ossMiB<<20, len(cl.data))
	imur, err := b.InitiateMultipartUpload("oss-100k")
	if err != nil {
		return nil, fmt.Errorf("InitiateMultipartUpload: %w", err)
	}
	nparts := (total + ossPart - 1) / ossPart
	parts := make([]alioss.UploadPart, nparts)
	s, err := parallel(ctx, nparts, ossWorkers, func(ctx context.Context, i int) (int64, error) {
		end := min((i+1)*ossPart, total)
		p, err := b.UploadPart(imur, bytes.NewReader(cl.data[i*ossPart:end]), int64(end-i*ossPart), i+1)
		if err != nil {
			return 0, fmt.Errorf("UploadPart %d: %w", i+1, err)
		}
		parts[i] = p
		return int64(end - i*ossPart), nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
		return nil, fmt.Errorf("CompleteMultipartUpload: %w", err)
	}
	return s, nil
}

// parts64 sends 64 UploadParts of 16 MiB to one upload at once (1 GiB in
// flight, whatever -mib says) and aborts the upload: issue 11's bound on the
// gateway's peak RSS under many large parts. One latency per part.
func (cl *clients) parts64(ctx context.Context, c *config, _ options) (*sample, error) {
	s := cl.client(c)
	key := "parts-64x16m"
	mu, err := s.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &c.bucket, Key: &key})
	if err != nil {
		return nil, fmt.Errorf("CreateMultipartUpload: %w", err)
	}
	out, err := parallel(ctx, rssParts, rssParts, func(ctx context.Context, i int) (int64, error) {
		num := int32(i + 1)
		off := (i % (mpuObject / mpuPart)) * mpuPart
		_, err := s.UploadPart(ctx, &s3.UploadPartInput{Bucket: &c.bucket, Key: &key, UploadId: mu.UploadId, PartNumber: &num,
			Body: bytes.NewReader(cl.data[off : off+mpuPart]), ContentLength: aws.Int64(mpuPart)}, unsigned)
		if err != nil {
			return 0, fmt.Errorf("UploadPart %d: %w", num, err)
		}
		return mpuPart, nil
	})
	if _, aerr := s.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &c.bucket, Key: &key, UploadId: mu.UploadId}); aerr != nil && err == nil {
		err = fmt.Errorf("AbortMultipartUpload: %w", aerr)
	}
	return out, err
}
