package s3

import (
	"encoding/xml"
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
)

// getBucketLocation answers <LocationConstraint>: the region, empty for
// us-east-1 as S3 does.
func (d *Dialect) getBucketLocation(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := d.cfg.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	loc := d.cfg.Region
	if loc == "us-east-1" {
		loc = ""
	}
	return s3wire.WriteXML(w, http.StatusOK, s3wire.Location{XMLName: xml.Name{Local: "LocationConstraint"}, Xmlns: xmlns, Value: loc})
}
