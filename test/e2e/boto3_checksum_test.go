package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestBoto3Checksums drives Debian's boto3 at its defaults (CRC32 as a
// header over http, as an aws-chunked trailer over https) through
// testdata/boto3_checksums.py: PutObject with CRC32, SHA1 and SHA256 (the
// algorithms botocore computes without awscrt), a wrong CRC32 (BadDigest),
// and CRC32 and SHA256 COMPOSITE multipart uploads completed with a wrong,
// then the right, whole-object checksum (Debian's botocore cannot ask for
// FULL_OBJECT; aws-sdk-go-v2 covers it in TestChecksumAlgorithms).
func TestBoto3Checksums(t *testing.T) {
	python := boto3Python(t)
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_checksums.py"))
	if err != nil {
		t.Fatal(err)
	}
	overHTTPAndTLS(t, func(t *testing.T, name string, g *gateway) {
		bucket := "boto3-cksum-" + name
		if _, err := g.s3Client(t, adminAK, adminSK, false).CreateBucket(context.Background(),
			&s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		res := mustRunClient(t, clientEnv(t, g, adminAK, adminSK), python, script, g.URL, bucket)
		type apiErr struct {
			Code, Message string
			Status        int
		}
		var out struct {
			Put map[string]struct {
				Want, Got, Type string
			}
			PutWrong  *apiErr `json:"put_wrong"`
			Multipart map[string]struct {
				Wrong                *apiErr
				Want, Complete, Head string
				HeadType             string `json:"head_type"`
			}
		}
		if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
			t.Fatalf("output: %v\n%s\n%s", err, res.Stdout, res.Stderr)
		}
		if len(out.Put) != 3 || len(out.Multipart) != 2 {
			t.Fatalf("incomplete output: %s", res.Stdout)
		}
		for alg, p := range out.Put {
			if p.Got != p.Want || p.Type != "FULL_OBJECT" {
				t.Errorf("PutObject %s: HEAD %q %q, want %q FULL_OBJECT", alg, p.Got, p.Type, p.Want)
			}
		}
		if w := out.PutWrong; w == nil || w.Status != 400 || w.Code != "BadDigest" ||
			w.Message != "The CRC32 you specified did not match the calculated checksum." {
			t.Errorf("wrong CRC32: %+v", w)
		}
		for alg, m := range out.Multipart {
			const typ = "COMPOSITE"
			if w := m.Wrong; w == nil || w.Status != 400 || w.Code != "BadDigest" ||
				w.Message != "The "+alg+" you specified did not match the calculated checksum." {
				t.Errorf("%s Complete with a wrong checksum: %+v", alg, m.Wrong)
			}
			if m.Complete != m.Want || m.Head != m.Want || m.HeadType != typ {
				t.Errorf("%s: Complete %q, HEAD %q %q, want %q %s", alg, m.Complete, m.Head, m.HeadType, m.Want, typ)
			}
		}
	})
}
