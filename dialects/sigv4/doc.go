// Package sigv4 verifies AWS Signature Version 4 on the server side: the
// Authorization-header form, the presigned query form, and the aws-chunked
// request body whose chunks and trailer are signed (or not) under the
// request's signature.
//
// The package follows the rules S3 clients sign by (protocols.md §1.1–1.4):
//
//   - the canonical URI is the request path exactly as the client sent it
//     (taken from the raw request target), never normalised or re-encoded;
//   - the canonical query is built from the raw query: split on '&', sorted
//     by key then value, a key without '=' written as "key=". Only when
//     that fails is the RFC 3986 re-encoding of the same parameters tried
//     (a client that sends '+' but signs "%20"); both decode alike;
//   - the canonical headers are the client's SignedHeaders, in its order,
//     values trimmed with runs of spaces collapsed, repeated headers joined
//     by ','; "host" comes from [net/http.Request.Host];
//   - the request time is x-amz-date, or, when that is absent, the Date
//     header (RFC 1123, as the OBS SDK sends in its V4 mode);
//   - every x-amz-* header present must be signed, as S3 requires, so a
//     captured or presigned request cannot gain e.g. x-amz-acl.
//
// Every error returned by [Verifier.Verify] and by a [ChunkedReader] (other
// than the underlying body's own read errors) is a *translate.Error carrying
// a neutral code; dialects map it to their wire form.
//
// The package holds no state between requests and never panics on any
// input. Signatures are compared in constant time.
package sigv4
