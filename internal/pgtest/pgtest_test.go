package pgtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestDatabases(t *testing.T) {
	s := Start(t)
	s.CreateTemplate(t, "tmpl", func(url string) error {
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(t.Context(), "CREATE TABLE x (a int); INSERT INTO x VALUES (42)")
		return err
	})
	start := time.Now()
	for range 5 {
		db := s.NewDatabase(t, "tmpl")
		conn, err := pgx.Connect(t.Context(), s.URL(db))
		if err != nil {
			t.Fatal(err)
		}
		var a int
		if err := conn.QueryRow(t.Context(), "SELECT a FROM x").Scan(&a); err != nil || a != 42 {
			t.Fatalf("got %d, %v", a, err)
		}
		conn.Close(t.Context())
	}
	t.Logf("5 databases in %v", time.Since(start))
}
