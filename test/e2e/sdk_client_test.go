package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3Client returns an aws-sdk-go-v2 S3 client for the gateway, loaded the
// way users load one (config.LoadDefaultConfig), so its defaults hold:
// RequestChecksumCalculation=WhenSupported, which over https sends CRC32 in
// aws-chunked trailers. Path style unless virtual is set.
func (g *gateway) s3Client(t testing.TB, ak, sk string, virtual bool) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, sk, "")),
		config.WithHTTPClient(g.HTTPClient(virtual)),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := g.URL
	if virtual {
		scheme := "http://"
		if g.TLS {
			scheme = "https://"
		}
		_, port, _ := splitHostPort(g.Addr)
		endpoint = scheme + testDomain + ":" + port
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = !virtual
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}
