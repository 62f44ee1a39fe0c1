package main

// The dialects the gateway serves. Each registers itself
// (dialects.Register): its detection rows, its config section, its rules,
// its addressing and its routes; a blank import here is all the wiring a
// dialect needs.
import (
	_ "github.com/babelgate/babelgate/dialects/glacier"
	_ "github.com/babelgate/babelgate/dialects/obs"
	_ "github.com/babelgate/babelgate/dialects/oss"
	_ "github.com/babelgate/babelgate/dialects/s3"
)
