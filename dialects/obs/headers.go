package obs

import (
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
	"github.com/babelgate/babelgate/translate"
)

// OBS's header names (protocols.md §3.6; huaweicloud-sdk-go-obs const.go).
const (
	storageClassHdr = "x-obs-storage-class"
	sseHeader       = "x-obs-server-side-encryption"
)

// obsPrefix is OBS's vendor header prefix.
const obsPrefix = "x-obs-"

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

// decodeMetadata reads the content headers, x-obs-meta-* (into the same
// Metadata.User map the S3 dialect fills from x-amz-meta-*, and with S3's
// 2 KB limit), the storage class and the server-side encryption from h.
func decodeMetadata(h http.Header) (translate.Metadata, error) { return profile.ReadMetadata(h) }

// bodyInput builds the engine's view of the request body: the stream, its
// declared length and the Content-MD5 the client sent (OBS's only body
// integrity value).
func bodyInput(r *dialects.Request) (translate.BodyInput, error) { return s3wire.PayloadInput(r) }
