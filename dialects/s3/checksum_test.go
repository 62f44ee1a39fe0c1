package s3

import (
	"net/http"
	"testing"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// TestChecksumInput covers S3's checks of the flexible-checksum headers and
// trailers (see checksumInput for the sources of the texts).
func TestChecksumInput(t *testing.T) {
	crc := "DUoRhQ==" // CRC32 of "hello world"
	sha1 := "Kq5sNclPz7QV2+lfQIuc6R7oRu0="
	tests := []struct {
		name     string
		header   []string
		trailers []string
		sent     map[string]string // the trailer section; nil: no trailer mode
		wantAlg  translate.ChecksumAlgorithm
		wantErr  translate.Code
		wantMsg  string
	}{
		{name: "none"},
		{name: "header", header: []string{"x-amz-checksum-crc32", crc}, wantAlg: translate.CRC32},
		{name: "sdk algorithm alone", header: []string{"x-amz-sdk-checksum-algorithm", "xxhash3"}, wantAlg: translate.XXHASH3},
		{name: "sdk algorithm agrees", header: []string{"x-amz-checksum-crc32", crc, "x-amz-sdk-checksum-algorithm", "CRC32"}, wantAlg: translate.CRC32},
		{name: "two headers", header: []string{"x-amz-checksum-crc32", crc, "x-amz-checksum-sha1", sha1}, wantErr: translate.ErrInvalidRequest,
			wantMsg: "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."},
		{name: "two headers, one invalid", header: []string{"x-amz-checksum-crc32", "bad", "x-amz-checksum-sha1", sha1}, wantErr: translate.ErrInvalidRequest,
			wantMsg: "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."},
		{name: "invalid value", header: []string{"x-amz-checksum-sha1", crc}, wantErr: translate.ErrInvalidRequest,
			wantMsg: "Value for x-amz-checksum-sha1 header is invalid."},
		{name: "sdk algorithm disagrees", header: []string{"x-amz-checksum-crc32", crc, "x-amz-sdk-checksum-algorithm", "SHA1"},
			wantErr: translate.ErrInvalidRequest, wantMsg: "Value for x-amz-sdk-checksum-algorithm header is invalid."},
		{name: "sdk algorithm unknown", header: []string{"x-amz-sdk-checksum-algorithm", "CRC16"},
			wantErr: translate.ErrInvalidRequest, wantMsg: "Value for x-amz-sdk-checksum-algorithm header is invalid."},
		{name: "trailer", trailers: []string{"x-amz-checksum-crc32"}, sent: map[string]string{"x-amz-checksum-crc32": crc}, wantAlg: translate.CRC32},
		{name: "trailer unsupported", trailers: []string{"x-amz-checksum-crc16"}, wantErr: translate.ErrInvalidRequest,
			wantMsg: "The value specified in the x-amz-trailer header is not supported"},
		{name: "two trailers", trailers: []string{"x-amz-checksum-crc32", "x-amz-checksum-sha1"}, wantErr: translate.ErrInvalidRequest,
			wantMsg: "The value specified in the x-amz-trailer header is not supported"},
		{name: "header and trailer", header: []string{"x-amz-checksum-sha1", sha1}, trailers: []string{"x-amz-checksum-crc32"},
			wantErr: translate.ErrInvalidRequest, wantMsg: "Expecting a single x-amz-checksum- header"},
		{name: "sdk algorithm disagrees with trailer", header: []string{"x-amz-sdk-checksum-algorithm", "CRC32C"}, trailers: []string{"x-amz-checksum-crc32"},
			wantErr: translate.ErrInvalidRequest, wantMsg: "Value for x-amz-sdk-checksum-algorithm header is invalid."},
		{name: "trailer not announced", sent: map[string]string{"x-amz-checksum-crc32": crc}, wantErr: translate.ErrMalformedTrailer,
			wantMsg: "The request contained trailing data that was not well-formed or did not conform to our published schema."},
		{name: "trailer announced, not sent", trailers: []string{"x-amz-checksum-crc32"}, sent: map[string]string{}, wantAlg: translate.CRC32,
			wantErr: translate.ErrMalformedTrailer, wantMsg: "The request contained trailing data that was not well-formed or did not conform to our published schema."},
		{name: "trailer value invalid", trailers: []string{"x-amz-checksum-sha1"}, sent: map[string]string{"x-amz-checksum-sha1": crc}, wantAlg: translate.SHA1,
			wantErr: translate.ErrInvalidRequest, wantMsg: "Value for x-amz-checksum-sha1 trailing header is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for i := 0; i < len(tt.header); i += 2 {
				h.Set(tt.header[i], tt.header[i+1])
			}
			p := dialects.Payload{TrailerNames: tt.trailers}
			if tt.sent != nil {
				p.Trailer = func() map[string]string { return tt.sent }
			}
			var o translate.BodyOptions
			err := checksumInput(h, p, &o)
			if err == nil && o.Trailer != nil {
				_, err = o.Trailer()
			}
			if o.ClientAlgorithm != tt.wantAlg && (tt.wantErr == 0 || tt.wantAlg != "") {
				t.Errorf("ClientAlgorithm %q, want %q", o.ClientAlgorithm, tt.wantAlg)
			}
			if tt.wantErr == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if te := translate.AsError(err); te.Code != tt.wantErr || te.Message != tt.wantMsg {
				t.Fatalf("got %v, want %v %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

// TestStripAWSChunked: aws-chunked leaves the stored Content-Encoding, the
// rest stays as sent.
func TestStripAWSChunked(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "aws-chunked": "", "AWS-Chunked": "", "gzip": "gzip", "aws-chunked,gzip": "gzip",
		"gzip, aws-chunked": "gzip", "gzip, aws-chunked, br": "gzip, br", "gzip ,br": "gzip ,br", "aws-chunked, gzip;q=1": "gzip;q=1",
	} {
		if got := stripAWSChunked(in); got != want {
			t.Errorf("stripAWSChunked(%q) = %q, want %q", in, got, want)
		}
	}
}
