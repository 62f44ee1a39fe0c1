package e2e

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// TestOBSDialectRules checks rules that differ between the native OBS
// dialect (the OBS Go SDK with SignatureObs) and the S3 dialect
// (aws-sdk-go-v2) on one gateway: who may abort an upload, and which bucket
// names are reserved.
func TestOBSDialectRules(t *testing.T) {
	g := startGateway(t, withOBSDomain())
	// admin's grant is "*": the owner of every bucket. alice may write
	// "alice-*" buckets, so both write alice-rules.
	admin := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	alice := g.obsHostClient(t, aliceAK, aliceSK, obs.SignatureObs, nil)
	const bucket = "alice-rules"
	cb := &obs.CreateBucketInput{}
	cb.Bucket = bucket
	if _, err := alice.CreateBucket(cb); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	// start initiates an upload of key by c and uploads one 100 KB part.
	start := func(t *testing.T, c *obs.ObsClient, key string) (string, obs.Part, []byte) {
		t.Helper()
		init := &obs.InitiateMultipartUploadInput{}
		init.Bucket, init.Key = bucket, key
		up, err := c.InitiateMultipartUpload(init)
		if err != nil {
			t.Fatal(err)
		}
		body := randomBytes(100<<10, 61)
		p, err := c.UploadPart(&obs.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: 1, Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return up.UploadId, obs.Part{PartNumber: 1, ETag: p.ETag}, body
	}

	// OBS: "If you are neither the initiator of a multipart upload nor the
	// bucket owner, OBS returns 403 Forbidden" (Canceling a Multipart
	// Upload Task, https://support.huaweicloud.com/intl/en-us/api-obs/obs_04_0103.html).
	t.Run("OBSNonInitiatorAbortDenied", func(t *testing.T) {
		const key = "abort/by-admin.bin"
		id, part, body := start(t, admin, key)
		_, err := alice.AbortMultipartUpload(&obs.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id})
		if obsCode(err) != "AccessDenied" || obsStatus(err) != 403 {
			t.Fatalf("AbortMultipartUpload by a non-initiator writer = %v, want 403 AccessDenied", err)
		}
		// The upload is intact: its initiator lists the part and completes.
		lp, err := admin.ListParts(&obs.ListPartsInput{Bucket: bucket, Key: key, UploadId: id})
		if err != nil || len(lp.Parts) != 1 || lp.Parts[0].ETag != part.ETag || lp.Parts[0].Size != int64(len(body)) {
			t.Fatalf("ListParts by the initiator after the denied abort = %+v, %v", lp, err)
		}
		if _, err := admin.CompleteMultipartUpload(&obs.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id,
			Parts: []obs.Part{part}}); err != nil {
			t.Fatalf("Complete by the initiator after the denied abort: %v", err)
		}
		if got := obsGet(t, admin, bucket, key); !bytes.Equal(got, body) {
			t.Fatal("the completed object is not the uploaded part")
		}
	})

	t.Run("OBSBucketOwnerAborts", func(t *testing.T) {
		const key = "abort/by-alice.bin"
		id, _, _ := start(t, alice, key)
		if _, err := admin.AbortMultipartUpload(&obs.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id}); err != nil {
			t.Fatalf("AbortMultipartUpload by the bucket owner: %v", err)
		}
		_, err := alice.ListParts(&obs.ListPartsInput{Bucket: bucket, Key: key, UploadId: id})
		if obsCode(err) != "NoSuchUpload" || obsStatus(err) != 404 {
			t.Fatalf("ListParts after the owner's abort = %v, want 404 NoSuchUpload", err)
		}
	})

	t.Run("OBSInitiatorAborts", func(t *testing.T) {
		const key = "abort/own.bin"
		id, _, _ := start(t, alice, key)
		if _, err := alice.AbortMultipartUpload(&obs.AbortMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id}); err != nil {
			t.Fatalf("AbortMultipartUpload by the initiator: %v", err)
		}
	})

	// S3: any principal with write access to the bucket may abort
	// (AbortMultipartUpload needs s3:AbortMultipartUpload on the bucket's
	// objects, whoever initiated the upload).
	t.Run("S3NonInitiatorAborts", func(t *testing.T) {
		ctx := context.Background()
		s3admin, s3alice := g.s3Client(t, adminAK, adminSK, false), g.s3Client(t, aliceAK, aliceSK, false)
		const key = "abort/s3.bin"
		cu, err := s3admin.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s3admin.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cu.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(randomBytes(1<<10, 62))}); err != nil {
			t.Fatal(err)
		}
		if _, err := s3alice.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
			UploadId: cu.UploadId}); err != nil {
			t.Fatalf("AbortMultipartUpload by a non-initiator writer in the S3 dialect: %v", err)
		}
		_, err = s3admin.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cu.UploadId})
		mustCode(t, err, "NoSuchUpload")
	})

	// AWS reserves xn-- and the other names of its "General purpose bucket
	// naming rules"; OBS's naming rules do not, so the native OBS dialect
	// creates such a bucket (the S3 dialect's refusal is in TestBadRequests).
	t.Run("OBSCreatesNamesAWSReserves", func(t *testing.T) {
		for _, name := range []string{"xn--obs-rules", "obs-rules-s3alias"} {
			cb := &obs.CreateBucketInput{}
			cb.Bucket = name
			if _, err := admin.CreateBucket(cb); err != nil {
				t.Errorf("CreateBucket(%s) in the native OBS dialect: %v", name, err)
			}
		}
	})
}
