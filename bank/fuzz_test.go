package bank

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzImport checks that an import of arbitrary bytes never panics, and that
// a failed import leaves the bank's row counts as they were.
func fuzzImport(f *testing.F, seeds []string, imp func(b *Bank, data []byte) error) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "fuzz.db")
	b, err := Create(path)
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.ImportItems(ctx, "items.csv", strings.NewReader(itemsCSV(8))); err != nil {
		f.Fatal(err)
	}
	count := func() int64 {
		var n int64
		if err := b.db.QueryRow(`SELECT (SELECT COUNT(*) FROM responses) + (SELECT COUNT(*) FROM items) + (SELECT COUNT(*) FROM imports) +
			(SELECT COUNT(*) FROM examinees) + (SELECT COUNT(*) FROM forms) + (SELECT COUNT(*) FROM form_items) + (SELECT COUNT(*) FROM item_options)`).Scan(&n); err != nil {
			f.Fatal(err)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		before := count()
		err := imp(b, data)
		var ae *AlreadyImportedError
		if err != nil && !errors.As(err, &ae) {
			if after := count(); after != before {
				t.Fatalf("a failed import (%v) changed the bank: %d rows before, %d after", err, before, after)
			}
		}
	})
}

func FuzzImportLong(f *testing.F) {
	fuzzImport(f, []string{
		longHeader + "E1,F1,IT001,A\n",
		"examinee,form,item,option,score,time,administered_at\nE1,F1,IT001,b,,1.5,2026-01-01\nE1,F1,IT002,,1,,2026-01-01T10:00:00Z\n",
		longHeader + "E1,F1,IT001,A\nE1,F1,IT001,B\n",
		"\xEF\xBB\xBF" + longHeader, "examinee,form\r\n", "",
	}, func(b *Bank, data []byte) error {
		_, err := b.ImportLong(context.Background(), "fuzz.csv", bytes.NewReader(data), ResponseOptions{OnDuplicate: DuplicateLast})
		return err
	})
}

func FuzzImportWide(f *testing.F) {
	fuzzImport(f, []string{"IT001,IT002\nA,B\nNA,C\n", "examinee,IT001\nE1,1\n", "IT001\n-\n", "NEW,IT001\n1,A\n"},
		func(b *Bank, data []byte) error {
			_, err := b.ImportWide(context.Background(), "fuzz.csv", bytes.NewReader(data), WideOptions{AddItems: true, Domain: "idioms"})
			return err
		})
}

func FuzzImportItems(f *testing.F) {
	fuzzImport(f, []string{itemsCSV(2), itemsCSV(1) + "IT001,idioms,,draft,Q,a,b,,,,A,\n",
		"id,domain,status,stem,option_a,option_b,key\nZ,stdlib,pretest,\"Q\n\",a,b,B\n"},
		func(b *Bank, data []byte) error {
			_, err := b.ImportItems(context.Background(), "fuzz.csv", bytes.NewReader(data))
			return err
		})
}

// FuzzReadParams: the parameter-table reader never panics, and what it
// accepts is valid.
func FuzzReadParams(f *testing.F) {
	for _, s := range []string{"item,model,a,b,c\nI1,3pl,1.2,0.3,0.2\n", "item,a,b\nI1,1,0\nI2,0.5,NA\n", "item,a,b,se_a,n\nI1,1,0,,10\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadParams("fuzz.csv", bytes.NewReader(data), "2pl")
		if err != nil {
			return
		}
		for _, r := range rows {
			if !(r.A > 0) || r.B != r.B || r.C < 0 || r.C >= 1 {
				t.Fatalf("accepted invalid parameters %+v", r)
			}
		}
	})
}
