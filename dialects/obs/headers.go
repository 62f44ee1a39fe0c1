package obs

import "github.com/babelgate/babelgate/translate"

// obsUnimplemented are OBS-only headers babelgate does not implement, by
// the operations that take them, refused NotImplemented besides the
// S3-family ones (s3wire.RefuseUnimplemented under x-obs-: tagging,
// object-lock, grants, canned ACLs other than private): x-obs-expires, an
// object's expiration in days (OBS API reference, PutObject).
var obsUnimplemented = map[translate.Op][]string{
	translate.OpPutObject:             {"x-obs-expires"},
	translate.OpCreateMultipartUpload: {"x-obs-expires"},
	translate.OpCopyObject:            {"x-obs-expires"},
}
