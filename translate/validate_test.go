package translate

import "testing"

// TestCheckBucketName: the common syntax holds in every dialect; the
// names AWS reserves (S3Rules) are refused only in the S3 dialect, since
// OSS's and OBS's naming rules reserve none of them; OSS refuses '.'.
func TestCheckBucketName(t *testing.T) {
	tests := []struct {
		name          string
		s3, oss, obs  bool // valid under S3Rules, OSSRules, OBSRules
		syntaxOnlyBad bool // invalid with nil rules too
	}{
		{"my-bucket", true, true, true, false},
		{"a.b.c", true, false, true, false},
		{"bucket.mrap.x", true, false, true, false},
		{"xn--bucket", false, true, true, false},
		{"sthree-bucket", false, true, true, false},
		{"sthree-configurator", false, true, true, false},
		{"sthree-configurator-x", false, true, true, false},
		{"amzn-s3-demo-bucket", false, true, true, false},
		{"bucket-s3alias", false, true, true, false},
		{"bucket--ol-s3", false, true, true, false},
		{"bucket.mrap", false, false, true, false},
		{"bucket--x-s3", false, true, true, false},
		{"bucket--table-s3", false, true, true, false},
		// Near misses stay valid.
		{"xn-bucket", true, true, true, false},
		{"sthree", true, true, true, false},
		{"my-xn--bucket", true, true, true, false},
		{"s3alias-bucket", true, true, true, false},
		{"bucket-s3alias-x", true, true, true, false},
		{"amzn-s3-demo", true, true, true, false},
		{"bucket-mrap", true, true, true, false},
		{"bucket-x-s3", true, true, true, false},
		// The common syntax.
		{"ab", false, false, false, true},
		{"A_B", false, false, false, true},
		{"-bucket", false, false, false, true},
		{"a..b", false, false, false, true},
		{"192.168.5.4", false, false, false, true},
	}
	for _, tc := range tests {
		for _, r := range []struct {
			dialect string
			rules   *Rules
			valid   bool
		}{{"s3", &S3Rules, tc.s3}, {"oss", &OSSRules, tc.oss}, {"obs", &OBSRules, tc.obs}, {"nil", nil, !tc.syntaxOnlyBad}} {
			err := r.rules.CheckBucketName(tc.name)
			if (err == nil) != r.valid {
				t.Errorf("%s: CheckBucketName(%q) = %v, want valid %v", r.dialect, tc.name, err, r.valid)
			}
			if err != nil && (CodeOf(err) != ErrInvalidBucketName || AsError(err).Message != "The specified bucket is not valid.") {
				t.Errorf("%s: CheckBucketName(%q) = %#v, want InvalidBucketName", r.dialect, tc.name, err)
			}
		}
	}
}
