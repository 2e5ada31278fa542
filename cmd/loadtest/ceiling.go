package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The ceiling is what this machine can serve at all: a bare net/http
// server in the load command's own process that answers the same POST,
// PATCH and GET by id with the same JSON as industrydata, from a map under
// a mutex — no token, no validation, no storage, no log. Every other mode
// is given as a ratio to it.

// ceilingOperation is an operation as industrydata writes it.
type ceilingOperation struct {
	Context            string  `json:"@odata.context"`
	Type               string  `json:"@odata.type"`
	ID                 string  `json:"id"`
	CreatedDateTime    string  `json:"createdDateTime"`
	LastActionDateTime string  `json:"lastActionDateTime"`
	Status             string  `json:"status"`
	StatusDetail       *string `json:"statusDetail"`
	ResourceLocation   *string `json:"resourceLocation"`
}

// ceilingUpdate is the part of a POST or PATCH body the ceiling reads.
type ceilingUpdate struct {
	Status       *string `json:"status"`
	StatusDetail *string `json:"statusDetail"`
}

type ceiling struct {
	mu  sync.Mutex
	ops map[string]*ceilingOperation
}

// startCeiling serves the ceiling on a free loopback port until ctx ends.
func startCeiling(ctx context.Context) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &ceiling{ops: map[string]*ceilingOperation{}}
	const collection = "/beta/industryData/operations"
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+collection, c.create)
	mux.HandleFunc("GET "+collection+"/{id}", c.get)
	mux.HandleFunc("PATCH "+collection+"/{id}", c.update)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	context.AfterFunc(ctx, func() { srv.Close() })
	return &server{mode: "ceiling", addrs: []string{ln.Addr().String()}, close: srv.Close}, nil
}

func (c *ceiling) create(w http.ResponseWriter, r *http.Request) {
	var u ceilingUpdate
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil || u.Status == nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	op := &ceilingOperation{
		Context: "http://" + r.Host + "/beta/$metadata#industryData/operations/$entity",
		Type:    "#microsoft.graph.longRunningOperation",
		ID:      uuid.NewString(), CreatedDateTime: now, LastActionDateTime: now,
		Status: *u.Status, StatusDetail: u.StatusDetail,
	}
	c.mu.Lock()
	c.ops[op.ID] = op
	body, err := json.Marshal(op)
	c.mu.Unlock()
	writeCeiling(w, http.StatusCreated, body, err)
}

func (c *ceiling) get(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	op, ok := c.ops[r.PathValue("id")]
	var body []byte
	var err error
	if ok {
		body, err = json.Marshal(op)
	}
	c.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	writeCeiling(w, http.StatusOK, body, err)
}

func (c *ceiling) update(w http.ResponseWriter, r *http.Request) {
	var u ceilingUpdate
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	op, ok := c.ops[r.PathValue("id")]
	var body []byte
	var err error
	if ok {
		if u.Status != nil {
			op.Status = *u.Status
		}
		if u.StatusDetail != nil {
			op.StatusDetail = u.StatusDetail
		}
		op.LastActionDateTime = time.Now().UTC().Format(time.RFC3339Nano)
		body, err = json.Marshal(op)
	}
	c.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	writeCeiling(w, http.StatusOK, body, err)
}

func writeCeiling(w http.ResponseWriter, status int, body []byte, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
