package obs

import (
	"encoding/xml"
	"net/http"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/s3wire"
)

// getBucketLocation answers OBS's <Location> document with the region.
func (d *Dialect) getBucketLocation(w http.ResponseWriter, r *dialects.Request) error {
	if _, err := d.cfg.Engine.HeadBucket(r.HTTP.Context(), r.Caller, r.Bucket); err != nil {
		return err
	}
	return s3wire.WriteXML(w, http.StatusOK, s3wire.Location{XMLName: xml.Name{Local: "Location"}, Xmlns: xmlns, Value: d.cfg.Region})
}
