package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// UploadSession is microsoft.graph.industryData.fileUploadSession: a data
// connector's upload container and the signed URL that grants upload to it.
type UploadSession struct {
	SessionURL                  string    `json:"sessionUrl"`
	ContainerID                 string    `json:"containerId"`
	ContainerExpirationDateTime time.Time `json:"containerExpirationDateTime"`
	SessionExpirationDateTime   time.Time `json:"sessionExpirationDateTime"`
}

// GetUploadSession is the connector's getUploadSession: the same session
// until it expires; reset discards it (and everything uploaded to it) for
// a new one.
func (c *Client) GetUploadSession(ctx context.Context, connectorID string, reset bool) (UploadSession, error) {
	var s UploadSession
	if connectorID == "" {
		return s, errors.New("client: GetUploadSession needs a connector id")
	}
	ref := fmt.Sprintf("dataConnectors/%s/getUploadSession(resetSession=%t)", segment(connectorID), reset)
	_, err := c.getJSON(ctx, ref, "", &s)
	return s, err
}

// Validate starts the validation of the files the connector's session
// holds now and returns the Location of its fileValidateOperation, for
// WaitForOperation. A validation of the connector in progress is a 409
// *Error.
func (c *Client) Validate(ctx context.Context, connectorID string) (string, error) {
	if connectorID == "" {
		return "", errors.New("client: Validate needs a connector id")
	}
	ref := "dataConnectors/" + segment(connectorID) + "/validate"
	h, err := c.sendJSON(ctx, call{method: http.MethodPost, ref: ref}, nil, nil)
	if err != nil {
		return "", err
	}
	loc := h.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("client: POST %s: the answer has no Location", ref)
	}
	return loc, nil
}
