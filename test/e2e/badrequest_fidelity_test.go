package e2e

import (
	"strconv"
	"time"
)

// S3's messages, from the S3 API reference's error code list
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
const (
	noSuchBucketMessage   = "The specified bucket does not exist."
	noSuchUploadMessage   = "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed."
	malformedXMLMessage   = "The XML you provided was not well-formed or did not validate against our published schema."
	notImplementedMessage = "A header you provided implies functionality that is not implemented."
)

// fidelityCases are TestBadRequests' rows for issue 10's error fidelity:
// AWS's texts, NoSuchBucket before NoSuchUpload and argument errors on
// multipart calls, a Complete <Part> missing a field, a copy range past
// the source, AWS's wording for max-parts, max-uploads and max-buckets,
// the SigV4 region check, and the headers babelgate refuses NotImplemented
// rather than ignore. Each asserts code, status and the exact message.
func (e *badReqEnv) fidelityCases() []badReqCase {
	send := e.send
	small := []byte("a small body\n")
	mp := e.path(e.mpKey)
	missing := rawPath("br-no-such-bucket", e.mpKey)
	return []badReqCase{
		// --- A missing bucket is reported first on every multipart call.
		{name: "uploadpart-missing-bucket", status: 404, code: "NoSuchBucket", message: noSuchBucketMessage,
			send: send(rawRequest{Method: "PUT", Path: missing, Query: partQuery("1", e.mpID), Body: small})},
		{name: "uploadpart-missing-bucket-part-number-0", status: 404, code: "NoSuchBucket", message: noSuchBucketMessage,
			send: send(rawRequest{Method: "PUT", Path: missing, Query: partQuery("0", e.mpID), Body: small})},
		{name: "uploadpart-missing-bucket-part-number-abc", status: 404, code: "NoSuchBucket", message: noSuchBucketMessage,
			send: send(rawRequest{Method: "PUT", Path: missing, Query: partQuery("abc", e.mpID), Body: small})},
		{name: "listparts-missing-bucket", status: 404, code: "NoSuchBucket", message: noSuchBucketMessage,
			send: send(rawRequest{Method: "GET", Path: missing, Query: "uploadId=" + e.mpID})},
		{name: "complete-missing-bucket", status: 404, code: "NoSuchBucket", message: noSuchBucketMessage,
			send: send(rawRequest{Method: "POST", Path: missing, Query: "uploadId=" + e.mpID, Body: completeXML([]int{1}, e.mpETags[:1])})},
		{name: "abort-missing-bucket", status: 404, code: "NoSuchBucket", message: noSuchBucketMessage,
			send: send(rawRequest{Method: "DELETE", Path: missing, Query: "uploadId=" + e.mpID})},
		{name: "create-upload-missing-bucket-bad-checksum-algorithm", status: 404, code: "NoSuchBucket", message: noSuchBucketMessage,
			send: send(rawRequest{Method: "POST", Path: missing, Query: "uploads", Header: hdr("X-Amz-Checksum-Algorithm", "MD4")})},
		{name: "uploadpart-forged-upload-id-message", status: 404, code: "NoSuchUpload", message: noSuchUploadMessage,
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("1", "Zm9yZ2Vk"), Body: small})},

		// --- Complete: a <Part> without ETag or PartNumber fails S3's
		// schema: MalformedXML.
		{name: "complete-part-without-etag", status: 400, code: "MalformedXML", message: malformedXMLMessage,
			send: send(rawRequest{Method: "POST", Path: mp, Query: "uploadId=" + e.mpID,
				Body: []byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`)})},
		{name: "complete-part-without-number", status: 400, code: "MalformedXML", message: malformedXMLMessage,
			send: send(rawRequest{Method: "POST", Path: mp, Query: "uploadId=" + e.mpID,
				Body: []byte(`<CompleteMultipartUpload><Part><ETag>` + e.mpETags[0] + `</ETag></Part></CompleteMultipartUpload>`)})},

		// --- UploadPartCopy with a range past the source: InvalidArgument.
		{name: "uploadpartcopy-range-beyond-source", status: 400, code: "InvalidArgument",
			message: "Range specified is not valid for source object of size: " + strconv.Itoa(len(e.objBody)),
			send: send(rawRequest{Method: "PUT", Path: mp, Query: partQuery("9", e.mpID),
				Header: hdr("X-Amz-Copy-Source", "/"+e.bucket+"/"+e.objKey, "X-Amz-Copy-Source-Range", "bytes=0-99999")})},

		// --- Paging arguments, in S3's words.
		{name: "listparts-max-parts-negative", status: 400, code: "InvalidArgument",
			message: "Argument max-parts must be an integer between 0 and 2147483647",
			send:    send(rawRequest{Method: "GET", Path: mp, Query: "uploadId=" + e.mpID + "&max-parts=-1"})},
		{name: "listparts-part-number-marker-abc", status: 400, code: "InvalidArgument",
			message: "Argument part-number-marker must be an integer between 0 and 2147483647",
			send:    send(rawRequest{Method: "GET", Path: mp, Query: "uploadId=" + e.mpID + "&part-number-marker=abc"})},
		{name: "listuploads-max-uploads-abc", status: 400, code: "InvalidArgument",
			message: "Argument max-uploads must be an integer between 0 and 2147483647",
			send:    send(rawRequest{Method: "GET", Path: "/" + e.bucket, Query: "uploads&max-uploads=abc"})},
		{name: "listbuckets-max-buckets-0", status: 400, code: "InvalidArgument",
			message: "Argument max-buckets must be an integer between 1 and 10000.",
			send:    send(rawRequest{Method: "GET", Path: "/", Query: "max-buckets=0"})},
		{name: "listbuckets-max-buckets-10001", status: 400, code: "InvalidArgument",
			message: "Argument max-buckets must be an integer between 1 and 10000.",
			send:    send(rawRequest{Method: "GET", Path: "/", Query: "max-buckets=10001"})},
		{name: "list-v2-empty-continuation-token-control", status: 200,
			send: send(rawRequest{Method: "GET", Path: "/" + e.bucket, Query: "list-type=2&continuation-token="})},

		// --- The SigV4 scope's region must be the gateway's.
		{name: "region-mismatch", status: 400, code: "AuthorizationHeaderMalformed",
			message: "The authorization header is malformed; the region 'eu-west-3' is wrong; expecting 'us-east-1'",
			send:    send(rawRequest{Method: "GET", Path: e.path(e.objKey), Region: "eu-west-3"})},
		{name: "presigned-region-mismatch", status: 400, code: "AuthorizationQueryParametersError",
			message: "Error parsing the X-Amz-Credential parameter; the region 'eu-west-3' is wrong; expecting 'us-east-1'",
			send:    send(rawRequest{Method: "GET", Path: e.path(e.objKey), Region: "eu-west-3", Presign: true, Expires: 60})},
		{name: "presigned-expired-message", status: 403, code: "AccessDenied", message: "Request has expired",
			send: send(rawRequest{Method: "GET", Path: e.path(e.objKey), Presign: true, Expires: 1, SignTime: time.Now().Add(-time.Hour)})},

		// --- Headers babelgate does not implement are refused, never
		// ignored: a retained object must not be overwritten, a tagged,
		// granted or public one not created.
		{name: "putobject-object-lock-not-implemented", status: 501, code: "NotImplemented", message: notImplementedMessage,
			send: send(rawRequest{Method: "PUT", Path: e.path(e.objKey), Body: small,
				Header: hdr("X-Amz-Object-Lock-Mode", "COMPLIANCE", "X-Amz-Object-Lock-Retain-Until-Date", "2030-01-01T00:00:00Z")}),
			after: e.objectUnchanged},
		{name: "putobject-legal-hold-not-implemented", status: 501, code: "NotImplemented", message: notImplementedMessage,
			send:  send(rawRequest{Method: "PUT", Path: e.path("held.txt"), Body: small, Header: hdr("X-Amz-Object-Lock-Legal-Hold", "ON")}),
			after: e.noObject(e.path("held.txt"))},
		{name: "putobject-tagging-not-implemented", status: 501, code: "NotImplemented", message: notImplementedMessage,
			send:  send(rawRequest{Method: "PUT", Path: e.path("tagged.txt"), Body: small, Header: hdr("X-Amz-Tagging", "a=b")}),
			after: e.noObject(e.path("tagged.txt"))},
		{name: "putobject-acl-public-read-not-implemented", status: 501, code: "NotImplemented", message: notImplementedMessage,
			send:  send(rawRequest{Method: "PUT", Path: e.path("public.txt"), Body: small, Header: hdr("X-Amz-Acl", "public-read")}),
			after: e.noObject(e.path("public.txt"))},
		{name: "create-upload-grant-not-implemented", status: 501, code: "NotImplemented", message: notImplementedMessage,
			send: send(rawRequest{Method: "POST", Path: e.path("granted.bin"), Query: "uploads",
				Header: hdr("X-Amz-Grant-Full-Control", `id="0123"`)})},
		{name: "copy-object-tagging-not-implemented", status: 501, code: "NotImplemented", message: notImplementedMessage,
			send: send(rawRequest{Method: "PUT", Path: e.path("copy-tagged"),
				Header: hdr("X-Amz-Copy-Source", "/"+e.bucket+"/"+e.objKey, "X-Amz-Tagging-Directive", "REPLACE", "X-Amz-Tagging", "a=b")}),
			after: e.noObject(e.path("copy-tagged"))},
		{name: "create-bucket-object-lock-not-implemented", status: 501, code: "NotImplemented", message: notImplementedMessage,
			send: send(rawRequest{Method: "PUT", Path: "/br-locked", Header: hdr("X-Amz-Bucket-Object-Lock-Enabled", "true")})},
		{name: "putobject-acl-private-control", status: 200,
			send: send(rawRequest{Method: "PUT", Path: e.path("private.txt"), Body: small, Header: hdr("X-Amz-Acl", "private")})},

		// --- x-amz-website-redirect-location must be a path or a URL.
		{name: "putobject-redirect-invalid", status: 400, code: "InvalidRedirectLocation",
			message: "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.",
			send:    send(rawRequest{Method: "PUT", Path: e.path("redirect.txt"), Body: small, Header: hdr("X-Amz-Website-Redirect-Location", "x.html")}),
			after:   e.noObject(e.path("redirect.txt"))},
	}
}
