package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ossv2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// mountTmpfs mounts a tmpfs of size MiB on a new directory and unmounts it
// when the test ends. The suite runs as root (as CI does); without root
// the mount fails and so does the test.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("mounting a %d MiB tmpfs on %s (the suite needs root): %v: %s", size, dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("unmounting %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// s3Status returns the HTTP status and error code of an aws-sdk-go-v2
// error.
func s3Status(err error) (int, string) {
	var re *awshttp.ResponseError
	var ae smithy.APIError
	status, code := 0, ""
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	return status, code
}

// TestDiskFull fills a small tmpfs data directory to the brim through the
// gateway and checks the answer in each dialect, that no SDK at its
// defaults resends the body (one request-log line per failed upload), that
// a failed upload leaves nothing behind, and that space comes back after
// deletes.
//
// Statuses were chosen against the SDKs' retry rules (module cache):
//   - aws-sdk-go-v2 aws/retry/standard.go: DefaultRetryableHTTPStatusCodes
//     are 500, 502, 503, 504, and the retryable codes RequestTimeout and
//     the throttling set: 507 InsufficientStorage is not retried (botocore's
//     standard mode retries the same statuses);
//   - huaweicloud-sdk-go-obs obs/http.go canNotRetry: every 4xx is final,
//     a 5xx is retried up to maxRetryCount (3): OBS answers 403
//     InsufficientStorageSpace, its own code for a full quota (obs_04_0052);
//   - alibabacloud-oss-go-sdk-v2 oss/retry/retryable_error.go retries
//     every status >= 500 (and 401, 408, 429), aliyun-oss-go-sdk none: OSS
//     answers 403 InsufficientStorage with an EC.
func TestDiskFull(t *testing.T) {
	data := mountTmpfs(t, 16)
	g := startGateway(t, withOBSDomain(), withBackends(fmt.Sprintf(
		"backends:\n  - {name: local, type: fs, options: {root: %q}}", data)))
	ctx := context.Background()
	s3c := g.s3Client(t, adminAK, adminSK, false)
	const bucket = "full"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	mib := bytes.Repeat([]byte("x"), 1<<20)

	// Fill: 1 MiB objects until the disk refuses one.
	var filled []string
	var full error
	for i := 0; i < 32 && full == nil; i++ {
		key := fmt.Sprintf("fill-%02d", i)
		_, full = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(mib)})
		if full == nil {
			filled = append(filled, key)
		}
	}
	if full == nil || len(filled) < 8 {
		t.Fatalf("after %d objects of 1 MiB in 16 MiB: %v; want the disk to fill after about 15", len(filled), full)
	}
	if status, code := s3Status(full); status != 507 || code != "InsufficientStorage" {
		t.Fatalf("S3 PutObject on a full disk = %d %s (%v), want 507 InsufficientStorage", status, code, full)
	}

	// The disk stays full: one more upload per dialect.
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("s3-over"), Body: bytes.NewReader(mib)})
	if status, code := s3Status(err); status != 507 || code != "InsufficientStorage" || !strings.Contains(err.Error(), "storage is full") {
		t.Errorf("S3 PutObject = %d %s (%v), want 507 InsufficientStorage naming the cause", status, code, err)
	}
	ob, err := ossLegacyClient(t, g).Bucket(bucket)
	if err != nil {
		t.Fatal(err)
	}
	err = ob.PutObject("oss-over", bytes.NewReader(mib))
	var se oss.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 403 || se.Code != "InsufficientStorage" || se.Ec != "0000-00000507" ||
		!strings.Contains(se.Message, "storage is full") {
		t.Errorf("OSS PutObject = %#v, want 403 InsufficientStorage with EC 0000-00000507", err)
	}
	_, err = ossV2Client(g).PutObject(ctx, &ossv2.PutObjectRequest{Bucket: ossv2.Ptr(bucket), Key: ossv2.Ptr("ossv2-over"),
		Body: bytes.NewReader(mib)})
	var se2 *ossv2.ServiceError
	if !errors.As(err, &se2) || se2.StatusCode != 403 || se2.Code != "InsufficientStorage" || se2.EC != "0000-00000507" {
		t.Errorf("OSS v2 PutObject = %v, want 403 InsufficientStorage with EC 0000-00000507", err)
	}
	oc := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	in := &obs.PutObjectInput{}
	in.Bucket, in.Key, in.Body = bucket, "obs-over", bytes.NewReader(mib)
	_, err = oc.PutObject(in)
	if obsStatus(err) != 403 || obsCode(err) != "InsufficientStorageSpace" {
		t.Errorf("OBS PutObject = %v, want 403 InsufficientStorageSpace", err)
	}

	// The OBS SDK at its defaults signs like S3 (AWS SigV2, path style),
	// so the S3 dialect answers it 507. With a body it can replay (PutObject
	// treats a *strings.Reader as repeatable, client_object.go) it retries
	// a 5xx a bounded number of times (maxRetryCount, default 3), never
	// forever.
	in.Key, in.Body = "obs-default-over", strings.NewReader(string(mib))
	if _, err := g.obsDefaultClient(t, adminAK, adminSK, nil).PutObject(in); obsStatus(err) != 507 || obsCode(err) != "InsufficientStorage" {
		t.Errorf("OBS SDK at defaults PutObject = %v, want 507 InsufficientStorage", err)
	}
	n := countLog(g.Log(), `"msg":"request"`, `"key":"obs-default-over"`)
	if n < 1 || n > 4 {
		t.Errorf("OBS SDK at defaults: %d requests, want at most 1 + its 3 retries", n)
	}

	// A part that does not fit fails the same way and leaves the upload
	// usable.
	up, err := s3c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload on a full disk: %v", err)
	}
	partIn := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(mib)}
	if _, err := s3c.UploadPart(ctx, partIn); err == nil {
		t.Error("UploadPart on a full disk succeeded")
	} else if status, code := s3Status(err); status != 507 || code != "InsufficientStorage" {
		t.Errorf("UploadPart on a full disk = %d %s, want 507 InsufficientStorage", status, code)
	}

	// Each failed upload reached the gateway once: no SDK resent it.
	log := g.Log()
	for _, c := range []struct{ key, status string }{{"s3-over", "507"}, {"oss-over", "403"}, {"ossv2-over", "403"}, {"obs-over", "403"}} {
		if n := countLog(log, `"msg":"request"`, `"key":"`+c.key+`"`); n != 1 {
			t.Errorf("%s: %d request-log lines, want 1 (the SDK retried)", c.key, n)
		}
		if n := countLog(log, `"key":"`+c.key+`"`, `"status":`+c.status); n != 1 {
			t.Errorf("%s: no request-log line with status %s", c.key, c.status)
		}
	}
	// ...and left nothing behind.
	if ents, _ := os.ReadDir(filepath.Join(data, bucket, ".tmp")); len(ents) != 0 {
		t.Errorf("failed uploads left %d temporary files", len(ents))
	}

	// Space comes back after deletes: every dialect uploads again.
	for _, key := range filled[:4] {
		if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("s3-over"), Body: bytes.NewReader(mib)}); err != nil {
		t.Errorf("S3 PutObject after deletes: %v", err)
	}
	if err := ob.PutObject("oss-over", bytes.NewReader(mib)); err != nil {
		t.Errorf("OSS PutObject after deletes: %v", err)
	}
	in.Key, in.Body = "obs-over", bytes.NewReader(mib)
	if _, err := oc.PutObject(in); err != nil {
		t.Errorf("OBS PutObject after deletes: %v", err)
	}
	partIn.Body = bytes.NewReader(mib)
	part, err := s3c.UploadPart(ctx, partIn)
	if err != nil {
		t.Fatalf("UploadPart after deletes: %v", err)
	}
	complete := func() error {
		_, err := s3c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
				{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32}}}})
		return err
	}
	// The disk is nearly full again, and Complete needs room for one part
	// (it moves the parts, it does not copy the object): without it, 507,
	// and the same Complete finishes once there is room.
	if err := complete(); err != nil {
		if status, code := s3Status(err); status != 507 || code != "InsufficientStorage" {
			t.Fatalf("Complete on a nearly full disk = %d %s (%v), want success or 507 InsufficientStorage", status, code, err)
		}
		t.Log("Complete on the nearly full disk answered 507; freeing room and retrying")
		if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(filled[4])}); err != nil {
			t.Fatal(err)
		}
		if err := complete(); err != nil {
			t.Fatalf("Complete after room came back: %v", err)
		}
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, mib) {
		t.Errorf("completed object: %d bytes, want the 1 MiB part", len(got))
	}
}
