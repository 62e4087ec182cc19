-- An ML or WLE estimate stopped at the bound of its search (|θ| = the
-- bound): the true estimate lies at or beyond it.
ALTER TABLE scores ADD COLUMN at_bound INTEGER NOT NULL DEFAULT 0;
