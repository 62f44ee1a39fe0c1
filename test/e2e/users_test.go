package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestUserIsolation checks that a user cannot list, read or write another
// user's buckets, and that read grants are read-only.
func TestUserIsolation(t *testing.T) {
	g := startGateway(t)
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	alice := g.s3Client(t, aliceAK, aliceSK, false)
	bob := g.s3Client(t, bobAK, bobSK, false)
	for _, b := range []struct {
		c    *s3.Client
		name string
	}{{alice, "alice-data"}, {bob, "bob-data"}, {admin, "shared"}} {
		if _, err := b.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.name)}); err != nil {
			t.Fatalf("CreateBucket %s: %v", b.name, err)
		}
	}
	if _, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("secret"), Body: strings.NewReader("alice's")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc"), Body: strings.NewReader("shared")}); err != nil {
		t.Fatal(err)
	}
	denied := []struct {
		name string
		call func() error
	}{
		{"bob reads alice's object", func() error {
			_, err := bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("secret")})
			return err
		}},
		{"bob lists alice's bucket", func() error {
			_, err := bob.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-data")})
			return err
		}},
		{"bob writes alice's bucket", func() error {
			_, err := bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("x"), Body: strings.NewReader("x")})
			return err
		}},
		{"bob deletes alice's object", func() error {
			_, err := bob.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alice-data"), Key: aws.String("secret")})
			return err
		}},
		{"bob starts an upload in alice's bucket", func() error {
			_, err := bob.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("alice-data"), Key: aws.String("x")})
			return err
		}},
		{"bob copies alice's object into his bucket", func() error {
			_, err := bob.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bob-data"), Key: aws.String("stolen"), CopySource: aws.String("alice-data/secret")})
			return err
		}},
		{"alice writes the read-only shared bucket", func() error {
			_, err := alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("x"), Body: strings.NewReader("x")})
			return err
		}},
		{"alice creates a bucket outside her grants", func() error {
			_, err := alice.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bob-other")})
			return err
		}},
		{"alice deletes bob's bucket", func() error {
			_, err := alice.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bob-data")})
			return err
		}},
	}
	for _, d := range denied {
		t.Run(d.name, func(t *testing.T) { mustCode(t, d.call(), "AccessDenied") })
	}
	// Reads that are granted work.
	if _, err := alice.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc")}); err != nil {
		t.Fatalf("alice reading shared: %v", err)
	}
	// ListBuckets shows each user only the buckets they may read.
	lb, err := bob.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, *b.Name)
	}
	if strings.Join(names, ",") != "bob-data,shared" {
		t.Fatalf("bob's ListBuckets: %v", names)
	}
	// An upload ID issued to alice's bucket cannot be used elsewhere.
	up, err := alice.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("alice-data"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("bob-data"), Key: aws.String("mp"), UploadId: up.UploadId})
	mustCode(t, err, "NoSuchUpload")
}
