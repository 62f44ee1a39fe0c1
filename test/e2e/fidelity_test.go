package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/huaweicloud/huaweicloud-sdk-go-obs/obs"
)

// bothTransports runs f over plain HTTP and over TLS.
func bothTransports(t *testing.T, f func(t *testing.T, g *gateway), opts ...gatewayOption) {
	for _, tls := range []bool{false, true} {
		name := "http"
		o := append([]gatewayOption(nil), opts...)
		if tls {
			name = "https"
			o = append(o, withTLS())
		}
		t.Run(name, func(t *testing.T) { f(t, startGateway(t, o...)) })
	}
}

// apiError returns err's S3 error code, message and HTTP status.
func apiError(err error) (code, message string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, message = ae.ErrorCode(), ae.ErrorMessage()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, message, status
}

// TestListBucketsPaging pages ListBuckets with aws-sdk-go-v2's own
// paginator at its defaults (max-buckets, continuation-token, prefix;
// ListBucketsInput in service/s3 api_op_ListBuckets.go) and checks every
// bucket of the prefix comes once, in order, with the prefix echoed.
func TestListBucketsPaging(t *testing.T) {
	bothTransports(t, func(t *testing.T, g *gateway) {
		ctx := context.Background()
		c := g.s3Client(t, adminAK, adminSK, false)
		var want []string
		for i := range 5 {
			name := fmt.Sprintf("lbp-%d", i)
			want = append(want, name)
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
		}
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("other-bucket")}); err != nil {
			t.Fatal(err)
		}
		var got []string
		pages := 0
		p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{Prefix: aws.String("lbp-"), MaxBuckets: aws.Int32(2)})
		for p.HasMorePages() {
			if pages++; pages > 5 {
				t.Fatal("ListBuckets paging does not end")
			}
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListBuckets: %v", err)
			}
			if aws.ToString(out.Prefix) != "lbp-" || len(out.Buckets) > 2 || out.Owner == nil || aws.ToString(out.Owner.DisplayName) != adminAK {
				t.Fatalf("page %d: prefix %q, %d buckets, owner %+v", pages, aws.ToString(out.Prefix), len(out.Buckets), out.Owner)
			}
			if len(out.Buckets) == 2 && pages < 3 && out.ContinuationToken == nil {
				t.Fatalf("page %d is full but has no continuation token", pages)
			}
			for _, b := range out.Buckets {
				got = append(got, aws.ToString(b.Name))
			}
		}
		if !slices.Equal(got, want) || pages != 3 {
			t.Fatalf("paged buckets %q in %d pages, want %q in 3", got, pages, want)
		}
		// Without paging parameters every bucket comes at once.
		all, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(all.Buckets) != 6 || all.ContinuationToken != nil {
			t.Fatalf("ListBuckets: %d buckets, token %v, %v", len(all.Buckets), all.ContinuationToken, err)
		}
	})
}

// oddKeys are keys whose encoding-type=url forms differ from the keys.
var oddKeys = []string{"odd/a b", "odd/a+b", "odd/ctl\x01x", "odd/日本語", "odd/x&y=z%", "odd/sub dir/k"}

// TestURLEncodedListings lists odd keys with encoding-type=url in
// ListObjects v1 and v2 and ListMultipartUploads, as raw requests, and
// checks what S3 encodes (keys, prefixes, delimiters, markers) is encoded
// as S3 does: '+' never stands for a space, so the values decode to the
// keys with url.PathUnescape as with url.QueryUnescape (botocore's
// unquote_plus, handlers.py decode_list_object). It also lists them with
// aws-sdk-go-v2 at its defaults.
func TestURLEncodedListings(t *testing.T) {
	bothTransports(t, func(t *testing.T, g *gateway) {
		ctx := context.Background()
		c := g.s3Client(t, adminAK, adminSK, false)
		bucket := "urlenc"
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		for _, k := range oddKeys {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
				t.Fatalf("PutObject %q: %v", k, err)
			}
			if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
				t.Fatalf("CreateMultipartUpload %q: %v", k, err)
			}
		}
		decode := func(t *testing.T, s string) string {
			t.Helper()
			if strings.Contains(s, "+") || strings.ContainsAny(s, " \x01&=") {
				t.Errorf("%q is not encoded as S3 encodes (space %%20, '+' %%2B, controls escaped)", s)
			}
			p, err1 := url.PathUnescape(s)
			q, err2 := url.QueryUnescape(s)
			if err1 != nil || err2 != nil || p != q {
				t.Errorf("%q decodes differently: %q %v / %q %v", s, p, err1, q, err2)
			}
			return p
		}
		type listing struct {
			Prefix, Delimiter, Marker, StartAfter, KeyMarker, EncodingType string
			Keys                                                           []string `xml:"Contents>Key"`
			Uploads                                                        []string `xml:"Upload>Key"`
			Prefixes                                                       []string `xml:"CommonPrefixes>Prefix"`
		}
		for _, tc := range []struct {
			name, query string
			keys        []string
			prefixes    []string
		}{
			{"v1", "prefix=odd%2F&delimiter=%20&marker=odd%2Fa", []string{"odd/a+b", "odd/ctl\x01x", "odd/x&y=z%", "odd/日本語"}, []string{"odd/a ", "odd/sub "}},
			{"v2", "list-type=2&prefix=odd%2F&delimiter=%20&start-after=odd%2Fa", []string{"odd/a+b", "odd/ctl\x01x", "odd/x&y=z%", "odd/日本語"}, []string{"odd/a ", "odd/sub "}},
			{"uploads", "uploads&prefix=odd%2F&delimiter=%20&key-marker=odd%2Fa", []string{"odd/a+b", "odd/ctl\x01x", "odd/x&y=z%", "odd/日本語"}, []string{"odd/a ", "odd/sub "}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := g.rawDo(t, rawRequest{Method: "GET", Path: "/" + bucket, Query: tc.query + "&encoding-type=url", AK: adminAK, SK: adminSK})
				if resp.Status != 200 {
					t.Fatalf("status %d: %s", resp.Status, resp.Body)
				}
				var l listing
				if err := xml.Unmarshal(resp.Body, &l); err != nil {
					t.Fatal(err)
				}
				if l.EncodingType != "url" || decode(t, l.Prefix) != "odd/" || decode(t, l.Delimiter) != " " {
					t.Errorf("EncodingType %q Prefix %q Delimiter %q", l.EncodingType, l.Prefix, l.Delimiter)
				}
				if m := l.Marker + l.StartAfter + l.KeyMarker; decode(t, m) != "odd/a" {
					t.Errorf("marker %q", m)
				}
				var keys, prefixes []string
				for _, k := range append(l.Keys, l.Uploads...) {
					keys = append(keys, decode(t, k))
				}
				for _, p := range l.Prefixes {
					prefixes = append(prefixes, decode(t, p))
				}
				if !slices.Equal(keys, tc.keys) || !slices.Equal(prefixes, tc.prefixes) {
					t.Errorf("keys %q prefixes %q, want %q %q", keys, prefixes, tc.keys, tc.prefixes)
				}
			})
		}
		// aws-sdk-go-v2 at its defaults lists the same keys (it asks for no
		// encoding, so the XML carries them escaped as XML; a control
		// character has no XML 1.0 form, which is what encoding-type=url is
		// for, so that key is left out here).
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("odd/")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range out.Contents {
			if k := aws.ToString(o.Key); !strings.HasPrefix(k, "odd/ctl") {
				got = append(got, k)
			}
		}
		var want []string
		for _, k := range oddKeys {
			if !strings.HasPrefix(k, "odd/ctl") {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("ListObjectsV2: %q, want %q", got, want)
		}
		// An empty continuation-token is no token: the first page.
		resp := g.rawDo(t, rawRequest{Method: "GET", Path: "/" + bucket, Query: "list-type=2&prefix=odd%2F&continuation-token=", AK: adminAK, SK: adminSK})
		if resp.Status != 200 || bytes.Count(resp.Body, []byte("<Key>")) != len(oddKeys) {
			t.Fatalf("empty continuation-token: %d %s", resp.Status, resp.Body)
		}
	})
}

// TestListUploadsDelimiterPaging follows ListMultipartUploads' markers
// with a delimiter one entry at a time with aws-sdk-go-v2 (bug 9.2: a page
// ending on a common prefix had an empty NextKeyMarker and a client
// following markers looped on it) and checks the pages end and list every
// upload and common prefix once.
func TestListUploadsDelimiterPaging(t *testing.T) {
	bothTransports(t, func(t *testing.T, g *gateway) {
		ctx := context.Background()
		c := g.s3Client(t, adminAK, adminSK, false)
		bucket := "mpu-paging"
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a/1", "a/2", "b", "c/1", "c/d/2", "d", "d", "e/1"} {
			if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
				t.Fatal(err)
			}
		}
		var entries []string
		in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/"), MaxUploads: aws.Int32(1)}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("paging does not end: %q", entries)
			}
			out, err := c.ListMultipartUploads(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range out.Uploads {
				entries = append(entries, aws.ToString(u.Key))
			}
			for _, p := range out.CommonPrefixes {
				entries = append(entries, aws.ToString(p.Prefix))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			if aws.ToString(out.NextKeyMarker) == "" {
				t.Fatalf("truncated page %d has no NextKeyMarker", pages)
			}
			in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
		}
		if want := []string{"a/", "b", "c/", "d", "d", "e/"}; !slices.Equal(entries, want) {
			t.Fatalf("entries %q, want %q", entries, want)
		}
		// A key marker that names no upload starts after it.
		out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), KeyMarker: aws.String("bz"),
			Prefix: aws.String("c/")})
		if err != nil || len(out.Uploads) != 2 || aws.ToString(out.Uploads[0].Key) != "c/1" {
			t.Fatalf("key-marker bz, prefix c/: %+v, %v", out, err)
		}
	})
}

// TestRegionCheck signs with a region the gateway does not serve:
// aws-sdk-go-v2 gets AuthorizationHeaderMalformed with S3's message naming
// the expected region, a presigned URL AuthorizationQueryParametersError;
// a region listed in dialects.s3.regions works.
func TestRegionCheck(t *testing.T) {
	g := startGateway(t, withConfig("dialects:\n  s3:\n    regions: [us-east-1, eu-central-1]\n"))
	ctx := context.Background()
	admin := g.s3Client(t, adminAK, adminSK, false)
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("regions")}); err != nil {
		t.Fatal(err)
	}
	client := func(region string) *s3.Client {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(adminAK, adminSK, "")),
			config.WithHTTPClient(g.HTTPClient(false)), config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
		if err != nil {
			t.Fatal(err)
		}
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(g.URL), true })
	}
	if _, err := client("eu-central-1").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("regions")}); err != nil {
		t.Fatalf("listed region eu-central-1: %v", err)
	}
	_, err := client("ap-south-1").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("regions")})
	code, msg, status := apiError(err)
	if code != "AuthorizationHeaderMalformed" || status != 400 ||
		msg != "The authorization header is malformed; the region 'ap-south-1' is wrong; expecting 'us-east-1'" {
		t.Fatalf("region ap-south-1: %q %q %d (%v)", code, msg, status, err)
	}
	resp := g.rawDo(t, rawRequest{Method: "GET", Path: "/regions", Presign: true, Expires: 60, Region: "ap-south-1", AK: adminAK, SK: adminSK})
	var body struct{ Code, Message, Region string }
	if err := xml.Unmarshal(resp.Body, &body); err != nil || resp.Status != 400 || body.Code != "AuthorizationQueryParametersError" ||
		body.Region != "us-east-1" ||
		body.Message != "Error parsing the X-Amz-Credential parameter; the region 'ap-south-1' is wrong; expecting 'us-east-1'" {
		t.Fatalf("presigned ap-south-1: %d %s", resp.Status, resp.Body)
	}
}

// TestNotImplementedHeaders sends, with aws-sdk-go-v2, the headers
// babelgate does not implement (tagging, object lock, grants, a public
// canned ACL): each is refused 501 NotImplemented with S3's message, and
// nothing is stored. The OBS Go SDK's x-obs-acl gets the same in OBS's
// native dialect.
func TestNotImplementedHeaders(t *testing.T) {
	g := startGateway(t, withOBSDomain())
	ctx := context.Background()
	c := g.s3Client(t, adminAK, adminSK, false)
	bucket := "notimpl"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   func(*s3.PutObjectInput)
	}{
		{"tagging", func(in *s3.PutObjectInput) { in.Tagging = aws.String("team=a") }},
		{"object-lock", func(in *s3.PutObjectInput) {
			in.ObjectLockMode = types.ObjectLockModeCompliance
			in.ObjectLockRetainUntilDate = aws.Time(mustTime(t, "2030-01-01T00:00:00Z"))
		}},
		{"legal-hold", func(in *s3.PutObjectInput) { in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn }},
		{"grant", func(in *s3.PutObjectInput) {
			in.GrantRead = aws.String(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)
		}},
		{"acl-public-read", func(in *s3.PutObjectInput) { in.ACL = types.ObjectCannedACLPublicRead }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "k-" + tc.name
			in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")}
			tc.in(in)
			_, err := c.PutObject(ctx, in)
			code, msg, status := apiError(err)
			if code != "NotImplemented" || status != 501 || msg != "A header you provided implies functionality that is not implemented." {
				t.Fatalf("PutObject: %q %q %d (%v)", code, msg, status, err)
			}
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil {
				t.Fatal("the refused object was stored")
			}
		})
	}
	// A private canned ACL is what babelgate does anyway: accepted.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("private"), Body: strings.NewReader("x"),
		ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatalf("PutObject with ACL private: %v", err)
	}
	oc := g.obsHostClient(t, adminAK, adminSK, obs.SignatureObs, nil)
	put := &obs.PutObjectInput{}
	put.Bucket, put.Key, put.Body, put.ACL = bucket, "obs-public", strings.NewReader("x"), obs.AclPublicRead
	_, err := oc.PutObject(put)
	var oe obs.ObsError
	if !errors.As(err, &oe) || oe.Code != "NotImplemented" || oe.StatusCode != 501 {
		t.Fatalf("OBS PutObject with x-obs-acl public-read: %v", err)
	}
}

// TestObjectHeadersFidelity checks, with aws-sdk-go-v2 at its defaults,
// x-amz-website-redirect-location kept and returned, a non-ASCII metadata
// value returned RFC 2047 encoded as S3 does ("Working with object
// metadata", S3 User Guide), and a conditional GET's 304 and 412 carrying
// the object's ETag and Last-Modified.
func TestObjectHeadersFidelity(t *testing.T) {
	bothTransports(t, func(t *testing.T, g *gateway) {
		ctx := context.Background()
		c := g.s3Client(t, adminAK, adminSK, false)
		bucket := "headers"
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("o"), Body: strings.NewReader("body"),
			WebsiteRedirectLocation: aws.String("/target.html"), Metadata: map[string]string{"name": "Jürgen", "plain": "ascii"}})
		if err != nil {
			t.Fatal(err)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("o")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.WebsiteRedirectLocation) != "/target.html" {
			t.Errorf("WebsiteRedirectLocation %q", aws.ToString(head.WebsiteRedirectLocation))
		}
		// A copy does not take the source's redirect location (S3's
		// CopyObject: "not copied"); the copy request may set its own.
		for _, tc := range []struct{ key, redirect string }{{"copy-plain", ""}, {"copy-redirect", "https://example.com/x"}} {
			in := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(tc.key), CopySource: aws.String(bucket + "/o")}
			if tc.redirect != "" {
				in.WebsiteRedirectLocation = aws.String(tc.redirect)
			}
			if _, err := c.CopyObject(ctx, in); err != nil {
				t.Fatal(err)
			}
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(tc.key)})
			if err != nil || aws.ToString(h.WebsiteRedirectLocation) != tc.redirect || h.Metadata["plain"] != "ascii" {
				t.Errorf("%s: redirect %q metadata %q, %v; want redirect %q", tc.key, aws.ToString(h.WebsiteRedirectLocation), h.Metadata, err, tc.redirect)
			}
		}
		enc := head.Metadata["name"]
		dec, derr := new(mime.WordDecoder).DecodeHeader(enc)
		if enc != "=?UTF-8?B?SsO8cmdlbg==?=" || derr != nil || dec != "Jürgen" || head.Metadata["plain"] != "ascii" {
			t.Errorf("metadata %q (decodes to %q, %v)", head.Metadata, dec, derr)
		}
		// Sent as an encoded-word, the value is stored decoded and comes
		// back in the same form.
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("o2"), Body: strings.NewReader("b"),
			Metadata: map[string]string{"name": "=?UTF-8?B?SsO8cmdlbg==?="}}); err != nil {
			t.Fatal(err)
		}
		if h2, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("o2")}); err != nil || h2.Metadata["name"] != enc {
			t.Errorf("encoded-word metadata: %q, %v", h2.Metadata, err)
		}
		for _, tc := range []struct {
			header, value string
			status        int
		}{
			{"If-None-Match", aws.ToString(put.ETag), 304},
			{"If-Match", `"00000000000000000000000000000000"`, 412},
		} {
			for _, method := range []string{"GET", "HEAD"} {
				resp := g.rawDo(t, rawRequest{Method: method, Path: "/headers/o", Header: http.Header{tc.header: {tc.value}}, AK: adminAK, SK: adminSK})
				if resp.Status != tc.status || resp.Header.Get("ETag") != aws.ToString(put.ETag) ||
					resp.Header.Get("Last-Modified") != head.LastModified.UTC().Format(http.TimeFormat) {
					t.Errorf("%s %s: %d ETag %q Last-Modified %q", method, tc.header, resp.Status, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
				}
			}
		}
		// Owner fields are the same for one user in every listing.
		l, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		bs, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(bs.Owner.ID)
		if len(id) != 64 || id == adminAK || aws.ToString(bs.Owner.DisplayName) != adminAK {
			t.Fatalf("ListBuckets owner %+v", bs.Owner)
		}
		for _, o := range l.Contents {
			if aws.ToString(o.Owner.ID) != id || aws.ToString(o.Owner.DisplayName) != adminAK {
				t.Fatalf("ListObjects owner %+v, want ID %s", o.Owner, id)
			}
		}
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
