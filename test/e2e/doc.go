// Package e2e drives the babelgate binary with real clients: aws-sdk-go-v2
// (plain calls and its transfer manager, over HTTP and TLS), the aws CLI,
// boto3, and raw signed HTTP for the bad-request table. Every test starts
// its own gateway process on 127.0.0.1 with a fresh data directory and
// stops it when done.
package e2e
