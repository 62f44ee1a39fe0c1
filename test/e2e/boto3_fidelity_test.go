package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestBoto3Fidelity runs Debian's boto3 (testdata/boto3_fidelity.py) on
// issue 10's listings and headers where boto3 can express them: odd keys
// through list_objects and list_objects_v2 (botocore asks for
// encoding-type=url and decodes with unquote_plus), ListMultipartUploads
// with a delimiter through botocore's paginator to the end, a tagging
// header refused NotImplemented, a website redirect kept, and a client
// signing for another region (S3's AuthorizationHeaderMalformed, whose
// <Region> botocore's S3RegionRedirector follows for bucket operations).
// botocore 1.29 predates ListBuckets paging, so that is aws-sdk-go-v2's
// (TestListBucketsPaging).
func TestBoto3Fidelity(t *testing.T) {
	python := boto3Python(t)
	bothTransports(t, func(t *testing.T, g *gateway) {
		dumpLogOnFailure(t, g)
		ctx := context.Background()
		const bucket = "boto3-fidelity"
		if _, err := g.s3Client(t, adminAK, adminSK, false).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		keys := []string{"a b", "a+b", "ctl\x01x", "日本語", "d/x y", "d/z", "e/1", "pct%2F"}
		rawKeys, _ := json.Marshal(keys)
		script, err := filepath.Abs(filepath.Join("testdata", "boto3_fidelity.py"))
		if err != nil {
			t.Fatal(err)
		}
		res := mustRunClient(t, clientEnv(t, g, adminAK, adminSK), python, script, "fidelity",
			"--endpoint", g.URL, "--bucket", bucket, "--keys", string(rawKeys))
		type apiErr struct {
			Code, Message string
			Status        int
		}
		var out struct {
			ListObjects   []string `json:"list_objects"`
			ListObjectsV2 []string `json:"list_objects_v2"`
			UploadsPaged  []string `json:"uploads_paged"`
			UploadsURL    []string `json:"uploads_url"`
			Tagging       apiErr   `json:"tagging"`
			Redirect      string   `json:"redirect"`
			WrongList     apiErr   `json:"wrong_region_list_buckets"`
			WrongHead     int      `json:"wrong_region_head_object"`
			WrongScopes   []string `json:"wrong_region_scopes"`
		}
		if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
			t.Fatalf("output: %v\n%s", err, res.Stdout)
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		if !slices.Equal(out.ListObjects, want) || !slices.Equal(out.ListObjectsV2, want) {
			t.Errorf("list_objects %q, list_objects_v2 %q, want %q", out.ListObjects, out.ListObjectsV2, want)
		}
		if w := []string{"a b", "a+b", "d/", "e/", "pct%2F", "日本語"}; !slices.Equal(out.UploadsPaged, w) {
			t.Errorf("paged uploads %q, want %q", out.UploadsPaged, w)
		}
		if w := []string{"a b", "a+b", "ctl\x01x", "pct%2F", "日本語", "d/", "e/"}; !slices.Equal(out.UploadsURL, w) {
			t.Errorf("uploads with encoding-type=url %q, want %q", out.UploadsURL, w)
		}
		if out.Tagging != (apiErr{"NotImplemented", "A header you provided implies functionality that is not implemented.", 501}) {
			t.Errorf("put_object with Tagging: %+v", out.Tagging)
		}
		if out.Redirect != "/to.html" {
			t.Errorf("WebsiteRedirectLocation %q", out.Redirect)
		}
		if out.WrongList != (apiErr{"AuthorizationHeaderMalformed",
			"The authorization header is malformed; the region 'eu-west-3' is wrong; expecting 'us-east-1'", 400}) {
			t.Errorf("list_buckets signed for eu-west-3: %+v", out.WrongList)
		}
		if out.WrongHead != 1 || !slices.Equal(out.WrongScopes, []string{"eu-west-3", "us-east-1"}) {
			t.Errorf("head_object signed for eu-west-3: length %d, scopes %q (want a redirect to us-east-1)", out.WrongHead, out.WrongScopes)
		}
	})
}
