// Package dialects recognises the dialect of each request and runs it
// through one pipeline whose stages are the same for every dialect:
//
//	detect → resolve (route table → operation) → authenticate → decode,
//	execute on the engine, encode (the dialect's route handler) →
//	encode errors in the request's own dialect → log
//
// Each dialect (dialects/s3, ...) implements [Dialect]; everything wire
// specific stays in it. This package owns what is shared: addressing
// (virtual-hosted or path style), request IDs, the response recorder, one
// structured log line per request, and the HTTP server with graceful
// shutdown.
package dialects
