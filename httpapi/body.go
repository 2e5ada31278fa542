package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"industrydata"
	"industrydata/schema"
)

// MaxBodyBytes bounds a request body (SPEC §3).
const MaxBodyBytes = 1 << 20

// readBody reads a JSON object request body: Content-Type application/json
// (charset utf-8 if any), at most MaxBodyBytes, parsed by schema.ParseBody.
func readBody(w http.ResponseWriter, r *http.Request) (*schema.Body, error) {
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	// A body declared too large is refused before a byte of it is read, and
	// so before a client that sent Expect: 100-continue uploads it.
	if r.ContentLength > MaxBodyBytes {
		return nil, errBodyTooLarge()
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errBodyTooLarge()
		}
		return nil, industrydata.Errorf(industrydata.CodeBadRequest, "The request body could not be read.")
	}
	return schema.ParseBody(data)
}

func errBodyTooLarge() error {
	return industrydata.Errorf(industrydata.CodeRequestEntityTooLarge, "The request body is larger than the limit of %d bytes.", MaxBodyBytes)
}

func checkJSONContentType(ct string) error {
	if ct == "" {
		return industrydata.Errorf(industrydata.CodeBadRequest, "The Content-Type header is required: application/json.")
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil || media != "application/json" {
		return industrydata.Errorf(industrydata.CodeBadRequest, "The Content-Type must be application/json, not '%s'.", clipPath(ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return industrydata.Errorf(industrydata.CodeBadRequest, "The request body's charset must be utf-8, not '%s'.", clipPath(cs))
	}
	return nil
}

// maxActionBody is how much of an action's body is read: actions that take
// no parameters accept nothing, or an empty JSON object.
const maxActionBody = 1024

// noParameters checks the body of an action that takes no parameters
// (POST runs, runs/start): empty, or {} as some SDKs send.
func noParameters(w http.ResponseWriter, r *http.Request) error {
	_, err := actionParameters(w, r)
	return err
}

// actionParameters reads the body of an action (or of a function called
// with POST): empty, or a JSON object of at most maxActionBody bytes whose
// members are among params (instance annotations are ignored). It returns
// the members given, by name.
func actionParameters(w http.ResponseWriter, r *http.Request, params ...string) (map[string]any, error) {
	refuse := func() error {
		if len(params) == 0 {
			return industrydata.Errorf(industrydata.CodeBadRequest, "This action takes no parameters; send no body.")
		}
		return industrydata.Errorf(industrydata.CodeBadRequest, "This action takes at most %s; send no more.", strings.Join(params, ", "))
	}
	if r.ContentLength > maxActionBody {
		return nil, refuse()
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxActionBody))
	if err != nil {
		return nil, refuse()
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, nil
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	body, err := schema.ParseBody(data)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, m := range body.Members {
		switch {
		case strings.HasPrefix(m.Name, "@"): // instance annotations are ignored
		case slices.Contains(params, m.Name):
			out[m.Name] = m.Value
		case len(params) == 0:
			return nil, industrydata.BadProperty(m.Name, "This action takes no parameters; '%s' is not one.", industrydata.Shorten(m.Name, 64))
		default:
			return nil, industrydata.BadProperty(m.Name, "'%s' is not a parameter of this action; it takes %s.",
				industrydata.Shorten(m.Name, 64), strings.Join(params, ", "))
		}
	}
	return out, nil
}
