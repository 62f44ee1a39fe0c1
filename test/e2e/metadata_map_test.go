package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	obs "github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// TestStorageClassAndEncryptionAcrossDialects: an object written through
// OSS with OSS's names for its storage class and encryption reads back
// through S3 and native OBS with theirs (translate's one table), and its
// user metadata is the same map in all three.
func TestStorageClassAndEncryptionAcrossDialects(t *testing.T) {
	g := startGateway(t, withConfig("dialects:\n  obs:\n    domains: ["+obsDomain+"]\n"))
	b := ossBucket(t, ossLegacyClient(t, g), "spellings")
	if err := b.PutObject("k", strings.NewReader("data"), oss.ObjectStorageClass(oss.StorageIA),
		oss.ServerSideEncryption("KMS"), oss.Meta("team", "blue")); err != nil {
		t.Fatalf("OSS PutObject: %v", err)
	}
	h, err := g.s3Client(t, adminAK, adminSK, false).HeadObject(context.Background(),
		&s3.HeadObjectInput{Bucket: aws.String("spellings"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if h.StorageClass != "STANDARD_IA" || h.ServerSideEncryption != "aws:kms" || h.Metadata["team"] != "blue" {
		t.Fatalf("through S3: class %q, sse %q, meta %v; want STANDARD_IA, aws:kms, team=blue", h.StorageClass, h.ServerSideEncryption, h.Metadata)
	}
	oc := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	om, err := oc.GetObjectMetadata(&obs.GetObjectMetadataInput{Bucket: "spellings", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	sse, ok := om.SseHeader.(obs.SseKmsHeader)
	if om.StorageClass != obs.StorageClassWarm || !ok || sse.Encryption != "kms" || om.Metadata["team"] != "blue" {
		t.Fatalf("through OBS: class %q, sse %+v, meta %v; want WARM, kms, team=blue", om.StorageClass, om.SseHeader, om.Metadata)
	}
}
