package s3wire

import (
	"net/http"
	"testing"
	"time"

	"github.com/babelgate/babelgate/translate"
)

// TestProfileWriteCond: S3's profile reads If-Match / If-None-Match as
// write conditions; OBS's ignores them and refuses x-obs-forbid-overwrite.
func TestProfileWriteCond(t *testing.T) {
	s3 := &Profile{Prefix: "x-amz-", ConditionalWrites: true}
	obs := &Profile{Prefix: "x-obs-"}
	for _, tc := range []struct {
		name string
		p    *Profile
		h    http.Header
		want translate.WriteCond
		code translate.Code
	}{
		{"s3 none", s3, http.Header{}, translate.WriteCond{}, 0},
		{"s3 if-none-match", s3, http.Header{"If-None-Match": {"*"}}, translate.WriteCond{IfAbsent: true}, 0},
		{"s3 if-match", s3, http.Header{"If-Match": {`"ABC"`}}, translate.WriteCond{IfMatch: "abc"}, 0},
		{"s3 if-none-match etag", s3, http.Header{"If-None-Match": {`"abc"`}}, translate.WriteCond{}, translate.ErrNotImplemented},
		{"obs ignores if-none-match", obs, http.Header{"If-None-Match": {"*"}}, translate.WriteCond{}, 0},
		{"obs forbid-overwrite", obs, http.Header{"X-Obs-Forbid-Overwrite": {"true"}}, translate.WriteCond{}, translate.ErrNotImplemented},
	} {
		got, err := tc.p.WriteCond(tc.h)
		if got != tc.want || translate.CodeOf(err) != tc.code {
			t.Errorf("%s: WriteCond = %+v, %v; want %+v, code %v", tc.name, got, err, tc.want, tc.code)
		}
	}
}

// TestProfileInitiatedTime reads x-amz-if-match-initiated-time as the HTTP
// date aws-sdk-go-v2 sends (smithy-go's FormatHTTPDate).
func TestProfileInitiatedTime(t *testing.T) {
	s3 := &Profile{Prefix: "x-amz-", ConditionalWrites: true}
	want := time.Date(2026, 12, 6, 5, 40, 43, 0, time.UTC)
	got, err := s3.InitiatedTime(http.Header{"X-Amz-If-Match-Initiated-Time": {"Sun, 06 Dec 2026 05:40:43 GMT"}})
	if err != nil || !got.Equal(want) {
		t.Errorf("InitiatedTime = %v, %v; want %v", got, err, want)
	}
	if got, err := s3.InitiatedTime(http.Header{}); err != nil || !got.IsZero() {
		t.Errorf("absent: %v, %v", got, err)
	}
	_, err = s3.InitiatedTime(http.Header{"X-Amz-If-Match-Initiated-Time": {"yesterday"}})
	if te := translate.AsError(err); te.Code != translate.ErrInvalidArgument || te.ArgName != "x-amz-if-match-initiated-time" {
		t.Errorf("malformed: %+v, want InvalidArgument naming the header", err)
	}
	if got, err := (&Profile{Prefix: "x-obs-"}).InitiatedTime(http.Header{"X-Obs-If-Match-Initiated-Time": {"yesterday"}}); err != nil || !got.IsZero() {
		t.Errorf("OBS profile: %v, %v; want the header not read", got, err)
	}
}
