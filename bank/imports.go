package bank

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Import is one file the bank took in, with what it brought.
type Import struct {
	ID         int64  `json:"import"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`   // items, responses-long, responses-wide, or serve (a served session)
	Source     string `json:"source"` // the file's name as given
	SHA256     string `json:"sha256"`
	Rows       int    `json:"rows"`
	Responses  int64  `json:"responses"`
	Examinees  int64  `json:"examinees"`
	Options    string `json:"options"` // the flags used, as JSON
	ImportedAt string `json:"imported_at"`
}

const importColumns = `i.id, i.name, i.kind, i.source, i.sha256, i.rows, i.options, i.imported_at,
	(SELECT COUNT(*) FROM responses r WHERE r.import_id = i.id),
	(SELECT COUNT(DISTINCT examinee_id) FROM responses r WHERE r.import_id = i.id)`

func scanImport(sc interface{ Scan(...any) error }) (Import, error) {
	var im Import
	err := sc.Scan(&im.ID, &im.Name, &im.Kind, &im.Source, &im.SHA256, &im.Rows, &im.Options, &im.ImportedAt, &im.Responses, &im.Examinees)
	return im, err
}

// Imports lists the imports, oldest first, with their responses and
// examinees.
func (b *Bank) Imports(ctx context.Context) ([]Import, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+importColumns+` FROM imports i ORDER BY i.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// Import returns import id.
func (b *Bank) Import(ctx context.Context, id int64) (*Import, error) {
	im, err := scanImport(b.db.QueryRowContext(ctx, `SELECT `+importColumns+` FROM imports i WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("import %d: %w; see passport imports list", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &im, nil
}
