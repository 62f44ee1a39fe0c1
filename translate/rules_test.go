package translate

import "testing"

// TestCheckAbort: under OBS's rules only the upload's initiator or the
// bucket's owner (a principal with write on "*") may abort; under S3's and
// OSS's any caller that got past the write check may.
func TestCheckAbort(t *testing.T) {
	owner := &Principal{AccessKey: "OWNER", Grants: []Grant{{Pattern: "*", Access: AccessWrite}}}
	alice := &Principal{AccessKey: "ALICE", Grants: []Grant{{Pattern: "alice-*", Access: AccessWrite}}}
	exact := &Principal{AccessKey: "EXACT", Grants: []Grant{{Pattern: "alice-obs", Access: AccessWrite}}}
	reader := &Principal{AccessKey: "READER", Grants: []Grant{{Pattern: "*", Access: AccessRead}}}
	byOwner := UploadInfo{Bucket: "alice-obs", Key: "k", Initiator: "OWNER"}
	byAlice := UploadInfo{Bucket: "alice-obs", Key: "k", Initiator: "ALICE"}
	tests := []struct {
		name   string
		rules  Rules
		caller *Principal
		upload UploadInfo
		denied bool
	}{
		{"obs initiator", OBSRules, alice, byAlice, false},
		{"obs non-initiator writer", OBSRules, alice, byOwner, true},
		{"obs exact grant is not ownership", OBSRules, exact, byAlice, true},
		{"obs bucket owner", OBSRules, owner, byAlice, false},
		{"obs read on * is not ownership", OBSRules, reader, byAlice, true},
		{"s3 any writer", S3Rules, alice, byOwner, false},
		{"s3 exact grant", S3Rules, exact, byAlice, false},
		{"oss any writer", OSSRules, alice, byOwner, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAbort(Caller{Principal: tc.caller, Rules: &tc.rules}, tc.upload.Bucket, tc.upload)
			if got := err != nil; got != tc.denied {
				t.Fatalf("checkAbort = %v, want denied %v", err, tc.denied)
			}
			if tc.denied && CodeOf(err) != ErrAccessDenied {
				t.Fatalf("checkAbort = %v, want AccessDenied", err)
			}
		})
	}
}

func TestOwnsBucket(t *testing.T) {
	tests := []struct {
		p    *Principal
		want bool
	}{
		{nil, false},
		{&Principal{}, false},
		{&Principal{Grants: []Grant{{Pattern: "*", Access: AccessWrite}}}, true},
		{&Principal{Grants: []Grant{{Pattern: "b*", Access: AccessWrite}}}, false},
		{&Principal{Grants: []Grant{{Pattern: "*", Access: AccessRead}, {Pattern: "bucket", Access: AccessWrite}}}, false},
	}
	for i, tc := range tests {
		if got := tc.p.OwnsBucket("bucket"); got != tc.want {
			t.Errorf("%d: OwnsBucket = %v, want %v", i, got, tc.want)
		}
	}
}
