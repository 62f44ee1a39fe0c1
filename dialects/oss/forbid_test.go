package oss

import (
	"net/http"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// TestForbidOverwrite reads x-oss-forbid-overwrite as OSS documents it:
// true or false only (EC 0017-00000279 otherwise).
func TestForbidOverwrite(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   translate.WriteCond
		ec     string
	}{
		{nil, translate.WriteCond{}, ""},
		{[]string{"true"}, translate.WriteCond{IfAbsent: true}, ""},
		{[]string{"TRUE"}, translate.WriteCond{IfAbsent: true}, ""},
		{[]string{"false"}, translate.WriteCond{}, ""},
		{[]string{"abc"}, translate.WriteCond{}, "0017-00000279"},
		{[]string{""}, translate.WriteCond{}, "0017-00000279"},
	} {
		h := http.Header{}
		if tc.values != nil {
			h["X-Oss-Forbid-Overwrite"] = tc.values
		}
		got, err := forbidOverwrite(h)
		if got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.values, got, tc.want)
		}
		if tc.ec == "" && err != nil {
			t.Errorf("%q: %v", tc.values, err)
		}
		if tc.ec != "" {
			we, te := wire(err)
			if te.Code != translate.ErrInvalidArgument || we.EC != tc.ec || we.Code != "InvalidArgument" || we.Status != 400 {
				t.Errorf("%q: got %+v %+v, want InvalidArgument 400 EC %s", tc.values, we, te, tc.ec)
			}
		}
	}
	we, te := wire(translate.WriteCond{IfAbsent: true}.Check(true, "e"))
	if _, ok := te.Extra["Condition"]; ok {
		t.Errorf("OSS's FileAlreadyExists names a condition: %+v", te.Extra)
	}
	if we.Code != "FileAlreadyExists" || we.Status != 409 || we.EC != "0026-00000201" ||
		we.Message != "The object you specified already exists and can not be overwritten." {
		t.Errorf("ErrObjectExists in OSS = %+v", we)
	}
}
