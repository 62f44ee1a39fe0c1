package main

// The Glacier vault API registers itself (dialects.Register): importing it
// is all the wiring it needs.
import _ "github.com/babelgate/babelgate/dialects/glacier"
