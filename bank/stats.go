package bank

import "context"

// Stats summarises what the bank holds.
type Stats struct {
	SchemaVersion int           `json:"schema_version"`
	Items         int           `json:"items"`
	Examinees     int           `json:"examinees"` // examinees with at least one response
	ItemsAnswered int           `json:"items_answered"`
	Responses     int64         `json:"responses"`
	Imports       int           `json:"imports"`
	Calibrations  int           `json:"calibrations"`
	ByDomain      []DomainCount `json:"by_domain"`
	ByForm        []FormCount   `json:"by_form"`
	PerItem       []ItemCount   `json:"per_item"`
}

// DomainCount counts the items of one domain and status.
type DomainCount struct {
	Domain string `json:"domain" csv:"domain"`
	Status string `json:"status" csv:"status"`
	Items  int    `json:"items" csv:"items"`
}

// FormCount describes one form's use.
type FormCount struct {
	Form      string `json:"form" csv:"form"`
	Origin    string `json:"origin" csv:"origin"`
	Items     int    `json:"items" csv:"items"`
	Examinees int    `json:"examinees" csv:"examinees"`
	Responses int64  `json:"responses" csv:"responses"`
}

// ItemCount is one item's number of responses and proportion correct.
type ItemCount struct {
	Item      string  `json:"item" csv:"item"`
	Domain    string  `json:"domain" csv:"domain"`
	Status    string  `json:"status" csv:"status"`
	Responses int64   `json:"responses" csv:"responses"`
	Omitted   int64   `json:"omitted" csv:"omitted"`
	PValue    float64 `json:"p_value" csv:"p_value"` // proportion scored 1; 0 with no responses
}

// Stats counts the bank's contents.
func (b *Bank) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	var err error
	if s.SchemaVersion, err = b.SchemaVersion(); err != nil {
		return s, err
	}
	err = b.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM items),
		(SELECT COUNT(*) FROM imports),
		(SELECT COUNT(*) FROM calibrations)`).Scan(&s.Items, &s.Imports, &s.Calibrations)
	if err != nil {
		return s, err
	}
	err = b.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT examinee_id), COUNT(DISTINCT item_id) FROM responses`).
		Scan(&s.Responses, &s.Examinees, &s.ItemsAnswered)
	if err != nil {
		return s, err
	}
	rows, err := b.db.QueryContext(ctx, `SELECT domain, status, COUNT(*) FROM items GROUP BY domain, status ORDER BY domain, status`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var d DomainCount
		if err := rows.Scan(&d.Domain, &d.Status, &d.Items); err != nil {
			rows.Close()
			return s, err
		}
		s.ByDomain = append(s.ByDomain, d)
	}
	rows.Close()
	rows, err = b.db.QueryContext(ctx, `SELECT f.code, f.origin,
			(SELECT COUNT(*) FROM form_items fi WHERE fi.form_id = f.id),
			COUNT(DISTINCT r.examinee_id), COUNT(r.item_id)
		FROM forms f LEFT JOIN responses r ON r.form_id = f.id GROUP BY f.id ORDER BY f.code`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var f FormCount
		if err := rows.Scan(&f.Form, &f.Origin, &f.Items, &f.Examinees, &f.Responses); err != nil {
			rows.Close()
			return s, err
		}
		s.ByForm = append(s.ByForm, f)
	}
	rows.Close()
	rows, err = b.db.QueryContext(ctx, `SELECT i.code, i.domain, i.status, COUNT(r.item_id), COALESCE(SUM(r.option = 0), 0), COALESCE(AVG(r.score), 0)
		FROM items i LEFT JOIN responses r ON r.item_id = i.id GROUP BY i.id ORDER BY i.code`)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var c ItemCount
		if err := rows.Scan(&c.Item, &c.Domain, &c.Status, &c.Responses, &c.Omitted, &c.PValue); err != nil {
			return s, err
		}
		s.PerItem = append(s.PerItem, c)
	}
	return s, rows.Err()
}
