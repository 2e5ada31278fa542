package httpapi

import (
	"net/http"
	"regexp"
	"strings"

	"industrydata"
	"industrydata/schema"
	"industrydata/service"
)

// The data connector's functions and actions (SPEC §11): getUploadSession
// hands out the upload session the Blob endpoint serves; validate queues a
// validation of what it holds.

// uploadConnectors may take an upload session and validate (SPEC §7).
var uploadConnectors = []industrydata.Permission{industrydata.PermDataConnectorReadWrite, industrydata.PermDataConnectorUpload}

// connectorRoutes are the upload and validation routes of dataConnectors.
// getUploadSession is a function, its parameters in the segment, which no
// ServeMux pattern can spell: the {function} segment is read by the
// handler, and anything but getUploadSession there is 404.
func (a *api) connectorRoutes() []route {
	const base = "/industryData/dataConnectors/{id}"
	cast := "/" + schema.AzureDataLakeConnector.FullName()
	var rs []route
	for _, p := range []string{base + "/{function}", base + cast + "/{function}"} {
		rs = append(rs, route{"GET", p, uploadConnectors, a.getUploadSession},
			route{"POST", p, uploadConnectors, a.getUploadSession}) // older clients POST it
	}
	for _, p := range []string{base + "/validate", base + "/microsoft.graph.industryData.validate"} {
		rs = append(rs, route{"POST", p, uploadConnectors, a.validateConnector})
	}
	return rs
}

// uploadSessionCall is getUploadSession's segment: the short or qualified
// name, with no parentheses, empty ones, or resetSession=true|false.
var uploadSessionCall = regexp.MustCompile(`^(?:microsoft\.graph\.industryData\.)?getUploadSession(?:\(\)|\(resetSession=(true|false)\))?$`)

func (a *api) getUploadSession(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	m := uploadSessionCall.FindStringSubmatch(r.PathValue("function"))
	if m == nil {
		if strings.HasPrefix(r.PathValue("function"), "getUploadSession") || strings.Contains(r.PathValue("function"), ".getUploadSession") {
			return industrydata.BadProperty("resetSession",
				"getUploadSession takes one optional parameter, resetSession=true or resetSession=false.")
		}
		return industrydata.Errorf(industrydata.CodeItemNotFound, "No resource matches the request URL '%s'.", clipPath(r.URL.Path))
	}
	if _, err := queryOptions(r); err != nil {
		return err
	}
	reset := m[1] == "true"
	if r.Method == http.MethodPost {
		// Older clients POST the function, its parameter in the body.
		params, err := actionParameters(w, r, "resetSession")
		if err != nil {
			return err
		}
		if v, ok := params["resetSession"]; ok {
			b, isBool := v.(bool)
			if !isBool || m[1] != "" && b != reset {
				return industrydata.BadProperty("resetSession", "resetSession must be true or false, and say the same in the URL and the body.")
			}
			reset = b
		}
	}
	id := r.PathValue("id")
	if _, err := t.Resources("dataConnectors").Get(r.Context(), id); err != nil {
		return err
	}
	if a.Blob == nil {
		return industrydata.Errorf(industrydata.CodeServiceUnavailable, "Uploads are not served by this server.")
	}
	s, err := a.Blob.Session(r.Context(), t.ID(), id, a.baseURL(r), reset)
	if err != nil {
		return err
	}
	buf := []byte(`{"@odata.context":`)
	buf = schema.AppendString(buf, a.versionRoot(r)+"/$metadata#"+schema.FileUploadSession.FullName())
	buf = append(buf, ',')
	buf = schema.AppendComplexMembers(buf, schema.FileUploadSession, &s)
	buf = append(buf, '}')
	writeJSON(w, http.StatusOK, buf)
	return nil
}

func (a *api) validateConnector(w http.ResponseWriter, r *http.Request, t *service.Tenant) error {
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := noParameters(w, r); err != nil {
		return err
	}
	op, err := t.StartValidation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", a.versionRoot(r)+"/"+setPath(r, "operations")+"/"+op.ID)
	w.WriteHeader(http.StatusAccepted)
	return nil
}
